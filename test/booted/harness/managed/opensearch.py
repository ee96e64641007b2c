#!/usr/bin/env python3
"""Stand-in for a managed OpenSearch cluster's REST API on the test network: HTTPS with the
provider's certificate, HTTP basic auth as doadmin, the cluster info and health a client asks
first. Usage: opensearch.py ADDRESS PORT CERT KEY USER PASSWORD_FILE"""
import base64
import json
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

address, port, cert, key, user, password_file = sys.argv[1:7]
with open(password_file, encoding="utf-8") as f:
    password = f.read().strip()
EXPECTED = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
ANSWERS = {
    "/": {"name": "harness-node", "cluster_name": "harness", "version": {"distribution": "opensearch", "number": "2.19.1"}},
    "/_cluster/health": {"cluster_name": "harness", "status": "green", "number_of_nodes": 1, "active_shards_percent_as_number": 100.0},
}


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, body, extra=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self):
        if self.headers.get("Authorization") != EXPECTED:
            self.answer(401, {"error": "Unauthorized"}, [("WWW-Authenticate", 'Basic realm="OpenSearch Security"')])
            return
        body = ANSWERS.get(self.path.split("?", 1)[0])
        self.answer(200, body) if body is not None else self.answer(404, {"error": "no such index", "status": 404})

    do_HEAD = do_GET


context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server = ThreadingHTTPServer((address, int(port)), Handler)
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
