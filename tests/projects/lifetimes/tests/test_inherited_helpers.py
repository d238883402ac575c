from request_helpers import DownloadCase


class TestDownloads(DownloadCase):
    def test_inherited_helper(self):
        """n26: a request helper inherited from a base class of another test module."""
        res = self.download("detail.csv")  # FCL101
        self.assertEqual(res.status_code, 200)

    def test_inherited_helper_closed(self):
        """c02b: the caller closes what the inherited helper returns."""
        with self.download("summary.csv") as res:
            self.assertEqual(res.status_code, 200)


class TestOwnDownload(DownloadCase):
    def download(self, name):
        with self.client.get(f"/exports/{name}") as res:
            return res.data

    def test_own_method_hides_the_inherited_one(self):
        """c02b: the class's own `download` closes the response and returns its body."""
        self.assertTrue(self.download("detail.csv"))
