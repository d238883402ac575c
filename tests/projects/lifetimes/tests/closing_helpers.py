def check_and_close(res):
    try:
        assert res.status_code == 200
    finally:
        res.close()


class ClosingCase:
    def finish(self, res):
        res.close()
