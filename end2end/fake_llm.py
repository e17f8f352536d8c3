"""A stand-in for an OpenAI-compatible model server, for the browser tests.

Speaks Chat Completions (plain and streamed as server-sent events). It writes one workflow,
slowly enough to watch, when the request mentions "weather report"; anything else gets a
400, so the server falls back to its offline provider as with a model that refuses.
Usage: python3 fake_llm.py PORT
"""

import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORKFLOW = {
    "name": "Weather report",
    "nodes": [
        {"name": "Every morning", "type": "n8n-nodes-base.scheduleTrigger", "typeVersion": 1.2,
         "position": [0, 0], "parameters": {"rule": {"interval": [{"field": "days", "triggerAtHour": 7}]}}},
        {"name": "Get weather", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2,
         "position": [220, 0], "parameters": {"url": "https://weather.example.com/today"}},
        {"name": "Post to Slack", "type": "n8n-nodes-base.slack", "typeVersion": 2.2,
         "position": [440, 0], "parameters": {"text": "={{ $json.summary }}"}},
    ],
    "connections": {
        "Every morning": {"main": [[{"node": "Get weather", "type": "main", "index": 0}]]},
        "Get weather": {"main": [[{"node": "Post to Slack", "type": "main", "index": 0}]]},
    },
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
        asked = " ".join(str(m.get("content", "")) for m in body.get("messages", []))
        if "weather report" not in asked.lower():
            return self.answer(400, {"error": {"message": "this model only writes weather reports",
                                               "type": "invalid_request_error"}})
        text = json.dumps(WORKFLOW)
        model = body.get("model", "e2e-model")
        usage = {"prompt_tokens": len(asked) // 4, "completion_tokens": len(text) // 4}
        if not body.get("stream"):
            return self.answer(200, {"id": "c1", "object": "chat.completion", "model": model, "usage": usage,
                                     "choices": [{"index": 0, "finish_reason": "stop",
                                                  "message": {"role": "assistant", "content": text}}]})
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("connection", "close")
        self.end_headers()
        pieces = [text[i:i + 24] for i in range(0, len(text), 24)]
        for piece in pieces:
            self.event({"model": model, "choices": [{"index": 0, "delta": {"content": piece}}]})
            time.sleep(1.5 / len(pieces))
        self.event({"model": model, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        self.event({"model": model, "choices": [], "usage": usage})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True

    def event(self, data):
        self.wfile.write(b"data: " + json.dumps(data).encode() + b"\n\n")
        self.wfile.flush()

    def answer(self, status, data):
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
