"""Invoices and reports are files on disk; receipts are made in memory."""


def test_invoice_download(client):
    """Customers can download their invoice."""
    res = client.get("/downloads/invoice-1.txt")  # FCL101
    assert res.status_code == 200
    assert b"Ada Lovelace" in res.data


def test_invoice_download_in_with_block(client):
    """The same download, with the response closed by its ``with`` block."""
    with client.get("/downloads/invoice-2.txt") as res:
        assert res.status_code == 200
        assert b"Total                    61.00" in res.data


def test_invoice_download_buffered(client):
    """``buffered=True`` reads the whole body and closes the file at once."""
    res = client.get("/downloads/invoice-1.txt", buffered=True)
    assert res.mimetype == "text/plain"


def test_missing_invoice_is_404(client):
    """``send_from_directory`` answers 404 before it opens anything."""
    res = client.get("/downloads/invoice-999.txt")
    assert res.status_code == 404


def test_sales_report(client):
    """The report helper sends the CSV as an attachment."""
    res = client.get("/downloads/report/sales-2024")
    try:
        assert res.status_code == 200
        assert res.headers["Content-Disposition"] == "attachment; filename=sales-2024.csv"
        assert res.data.startswith(b"month,orders,revenue")
    finally:
        res.close()


def test_sales_report_is_csv(client):
    """The report is served as CSV."""
    assert client.get("/downloads/report/sales-2024").mimetype == "text/csv"  # FCL102


def test_receipt_is_made_in_memory(client):
    """Receipts never touch the disk, so there is nothing to close."""
    res = client.get("/downloads/receipt/42")
    assert res.status_code == 200
    assert res.headers["Content-Disposition"] == "inline; filename=receipt-42.txt"
    assert b"order #42" in res.data
