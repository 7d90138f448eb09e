import json
import unittest
from http.client import HTTPConnection

from imagewise_common import ConfigError

from service import SERVICE, start


class ServiceTest(unittest.TestCase):
    def test_health_answers_200_and_json_naming_the_service(self):
        server, port, _ = start({"PORT": "0", "LOG_LEVEL": "error"})
        self.addCleanup(server.close)
        connection = HTTPConnection("127.0.0.1", port, timeout=10)
        self.addCleanup(connection.close)
        connection.request("GET", "/health")
        response = connection.getresponse()
        self.assertEqual(response.status, 200)
        self.assertTrue(response.getheader("content-type").startswith("application/json"))
        body = json.loads(response.read())
        self.assertEqual(body["status"], "ok")
        self.assertEqual(body["service"], SERVICE)
        self.assertEqual(SERVICE, "service-affecting-monitor")

    def test_refuses_a_port_that_is_not_a_tcp_port_naming_it(self):
        with self.assertRaisesRegex(ConfigError, "PORT"):
            start({"PORT": "eighty"})


if __name__ == "__main__":
    unittest.main()
