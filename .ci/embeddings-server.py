#!/usr/bin/env python3
"""A small OpenAI-compatible embeddings server, for measuring only (`claims eval --embeddings`).

It serves `POST /v1/embeddings` on 127.0.0.1 with WordLlama (a static token-embedding model: each
text is the average of its tokens' vectors), whose weights ship inside the PyPI wheel, so nothing
is downloaded when it runs. It is not part of the bot, of its tests or of CI; it installs nothing.

Install WordLlama once (into a virtual environment if you prefer):

    pip install 'wordllama>=0.4,<0.5'

Then, from the repository's root:

    python3 .ci/embeddings-server.py --port 8089 &
    EMBEDDINGS_URL=http://127.0.0.1:8089 EMBEDDINGS_MODEL=wordllama-l2-supercat-256 \
        cargo run -- claims eval ../shared/testdata/relevance --embeddings

Request: {"model": "...", "input": ["text", ...]} (or one string). Answer:
{"object": "list", "data": [{"object": "embedding", "embedding": [...], "index": i}, ...],
 "model": "...", "usage": {...}}. The vectors are unit length. A bearer token, if sent, is ignored.
"""

import argparse
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "wordllama-l2-supercat-256"


def load():
    try:
        from wordllama import WordLlama
    except ImportError:
        sys.exit("wordllama is not installed: pip install 'wordllama>=0.4,<0.5'")
    import os

    # The weights and tokenizer inside the wheel, never fetched from a hub. The package's own
    # folder is given as the cache: 0.4 looks for the tokenizer in `tokenizer/` in its folder,
    # where the wheel puts it in `tokenizers/`, as the cache layout has it.
    here = os.path.dirname(sys.modules["wordllama"].__file__)
    return WordLlama.load(config="l2_supercat", dim=256, cache_dir=here, disable_download=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8089)
    args = parser.parse_args()
    model = load()

    class Handler(BaseHTTPRequestHandler):
        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            if self.path.rstrip("/") != "/v1/embeddings":
                return self.answer(404, {"error": {"message": "not found"}})
            try:
                length = int(self.headers.get("Content-Length", "0"))
                request = json.loads(self.rfile.read(length) or b"{}")
                texts = request.get("input", [])
                if isinstance(texts, str):
                    texts = [texts]
                if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                    raise ValueError("input must be a string or a list of strings")
            except (ValueError, json.JSONDecodeError) as e:
                return self.answer(400, {"error": {"message": str(e)}})
            vectors = model.embed(texts, norm=True).tolist() if texts else []
            self.answer(
                200,
                {
                    "object": "list",
                    "data": [
                        {"object": "embedding", "embedding": v, "index": i}
                        for i, v in enumerate(vectors)
                    ],
                    "model": request.get("model") or MODEL,
                    "usage": {"prompt_tokens": 0, "total_tokens": 0},
                },
            )

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"embeddings ({MODEL}) on http://127.0.0.1:{args.port}/v1/embeddings", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
