import os
import unittest

from app import app

FILES = os.path.join(app.root_path, "files")


class Test(unittest.TestCase):
    def test(self):
        """c05b: the test from pallets/flask#3735 (with app.test_client() as c; r.data)."""
        temp_file = os.path.join(FILES, "test.txt")
        for i in ("123abc", "&@!#^*", "你好嗎"):
            with self.subTest(i=i):
                test_text = "test" + str(i)
                with open(temp_file, "w", encoding="UTF-8") as f:
                    f.write(test_text)
                try:
                    with app.test_client() as c:
                        r = c.get("/files/test.txt")  # FCL101
                        self.assertEqual(r.data.decode("UTF-8"), test_text)
                finally:
                    os.remove(temp_file)
