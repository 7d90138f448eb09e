import errno
import http.client
import io
import json
import socket
import threading
import unittest
import wsgiref.util

from imagewise_common import HEALTH_PATHS, create_health_server, health_handler


def fail(message):
    raise ConnectionRefusedError(message)


def call(port, path, method="GET"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, {key.lower(): value for key, value in response.getheaders()}, response.read()
    finally:
        connection.close()


class HealthServerTest(unittest.TestCase):
    def start(self, checks=None, **options):
        server = create_health_server(0, checks, host="127.0.0.1", service="thumbs", version="2.3.4", **options)
        self.addCleanup(server.close)
        host, port = server.listen()
        self.assertEqual(host, "127.0.0.1")
        self.assertGreater(port, 0)
        return port

    def test_answers_get_health_with_200_and_the_report_when_every_check_passes(self):
        port = self.start({"db": lambda: "pong", "cache": lambda: None})
        status, headers, body = call(port, "/health")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "application/json; charset=utf-8")
        self.assertEqual(headers["cache-control"], "no-store")
        self.assertEqual(int(headers["content-length"]), len(body))
        report = json.loads(body)
        self.assertEqual([report["status"], report["service"], report["version"]], ["ok", "thumbs", "2.3.4"])
        self.assertEqual({name: check["status"] for name, check in report["checks"].items()}, {"db": "ok", "cache": "ok"})
        self.assertIsInstance(report["checks"]["db"]["durationMs"], int)

    def test_answers_503_with_the_failing_check_on_healthz_with_a_query(self):
        port = self.start({"db": lambda: fail("connection refused"), "disk": lambda: True})
        status, _, body = call(port, "/healthz?probe=liveness")
        self.assertEqual(status, 503)
        report = json.loads(body)
        self.assertEqual(report["status"], "fail")
        self.assertEqual((report["checks"]["db"]["status"], report["checks"]["db"]["error"]), ("fail", "connection refused"))
        self.assertEqual(report["checks"]["disk"]["status"], "ok")

    def test_answers_head_with_the_headers_of_get_and_no_body(self):
        port = self.start()
        status, headers, body = call(port, "/health", "HEAD")
        self.assertEqual((status, body), (200, b""))
        self.assertEqual(int(headers["content-length"]), len(json.dumps({"status": "ok", "service": "thumbs", "version": "2.3.4", "checks": {}}, separators=(",", ":"))))

    def test_answers_404_for_other_paths_and_405_for_other_methods(self):
        port = self.start()
        status, _, body = call(port, "/metrics")
        self.assertEqual((status, json.loads(body)), (404, {"error": "not found"}))
        status, headers, body = call(port, "/health", "POST")
        self.assertEqual((status, json.loads(body)), (405, {"error": "method not allowed"}))
        self.assertEqual(headers["allow"], "GET, HEAD")

    def test_listen_raises_when_the_port_is_taken_and_close_works_when_never_started(self):
        port = self.start()
        clash = create_health_server(port, host="127.0.0.1")
        with self.assertRaises(OSError) as raised:
            clash.listen()
        self.assertEqual(raised.exception.errno, errno.EADDRINUSE)
        clash.close()
        create_health_server(0).close()

    def test_close_stops_serving_and_is_safe_to_repeat(self):
        server = create_health_server(0, host="127.0.0.1")
        with server:
            _, port = server.address
            self.assertTrue(server.listening)
            self.assertEqual(call(port, "/health")[0], 200)
        self.assertFalse(server.listening)
        with self.assertRaises(ConnectionRefusedError):
            call(port, "/health")
        server.close()

    def test_close_waits_for_a_request_in_progress(self):
        entered, release = threading.Event(), threading.Event()

        def slow():
            entered.set()
            release.wait(10)

        server = create_health_server(0, {"slow": slow}, host="127.0.0.1", timeout=10)
        _, port = server.listen()
        replies = []
        client = threading.Thread(target=lambda: replies.append(call(port, "/health")))
        client.start()
        self.assertTrue(entered.wait(10))
        closer = threading.Thread(target=server.close)
        closer.start()
        # close() first closes the listening socket, then waits for open requests.
        while not self._refused(port):
            closer.join(0.01)
        self.assertTrue(closer.is_alive())
        release.set()
        closer.join(10)
        client.join(10)
        self.assertFalse(closer.is_alive())
        self.assertEqual(replies[0][0], 200)


    @staticmethod
    def _refused(port):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=10).close()
        except (ConnectionRefusedError, ConnectionResetError):  # reset: closed during the handshake
            return True
        return False


class HealthHandlerTest(unittest.TestCase):
    def test_is_a_wsgi_application_that_answers_under_a_mount_point(self):
        app = health_handler({"db": lambda: None}, service="thumbs")
        environ = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "/ops", "PATH_INFO": "/healthz"}
        wsgiref.util.setup_testing_defaults(environ)
        started = []
        body = b"".join(app(environ, lambda status, headers: started.append((status, dict(headers)))))
        self.assertEqual(started[0][0], "200 OK")
        self.assertEqual(json.loads(body)["service"], "thumbs")
        self.assertEqual(HEALTH_PATHS, frozenset({"/health", "/healthz"}))

    def test_answers_503_service_unavailable_as_the_status_line(self):
        app = health_handler({"db": lambda: False})
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/health", "wsgi.input": io.BytesIO()}
        started = []
        body = b"".join(app(environ, lambda status, headers: started.append(status)))
        self.assertEqual(started, ["503 Service Unavailable"])
        self.assertEqual(json.loads(body)["checks"]["db"]["error"], "returned False")


if __name__ == "__main__":
    unittest.main()
