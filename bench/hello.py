"""A hello-world WSGI app, served the same way as Samverkan for a baseline."""


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return [b"hello"]
