def finish(res):
    res.close()


def check_then_finish(res):
    assert res.status_code == 200
    finish(res)


def check_and_close(res):
    try:
        assert res.status_code == 200
    finally:
        res.close()


class ClosingCase:
    def finish(self, res):
        res.close()
