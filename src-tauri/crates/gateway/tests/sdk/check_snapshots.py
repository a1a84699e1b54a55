"""Feeds the committed encoder snapshots to the official OpenAI and Anthropic Python SDKs,
with their strict response validation on, through an in-process transport (no network).

It proves that what the dialect encoders emit parses in the real clients: streams accumulate
to the expected message, errors raise, and every field the SDKs' types require is present.
Run it after changing an encoder and accepting new snapshots:

    python3 -m venv /tmp/sdk && /tmp/sdk/bin/pip install openai anthropic
    /tmp/sdk/bin/python src-tauri/crates/gateway/tests/sdk/check_snapshots.py

The SDKs of late 2026 use `httpx2`; older ones use `httpx` (the same API).
"""

import json
import pathlib
import sys

try:
    import httpx2 as httpx
except ImportError:  # SDKs before the httpx2 move
    import httpx
import anthropic
import openai

SNAPSHOTS = pathlib.Path(__file__).resolve().parent.parent / "dialects" / "snapshots"


def snap(name):
    return json.loads((SNAPSHOTS / f"{name}.snap").read_text().split("---", 2)[2])


def named_sse(events):
    return "".join(f"event: {e['event']}\ndata: {json.dumps(e['data'])}\n\n" for e in events).encode()


def data_sse(chunks):
    return ("".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n").encode()


def sse_client(body):
    return httpx.Client(transport=httpx.MockTransport(
        lambda r: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)))


def json_client(payload, status=200):
    return httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(status, json=payload)))


def oai(http):
    return openai.OpenAI(api_key="x", base_url="http://gateway/v1", max_retries=0,
                         _strict_response_validation=True, http_client=http)


def ant(http):
    return anthropic.Anthropic(api_key="x", base_url="http://gateway", max_retries=0,
                               _strict_response_validation=True, http_client=http)


def expect(condition, what):
    if not condition:
        sys.exit(f"FAILED: {what}")
    print(f"ok: {what}")


HI = [{"role": "user", "content": "hi"}]

with oai(sse_client(data_sse(snap("openai_chat_stream_tools")))).chat.completions.stream(
        model="m", messages=HI) as s:
    final = s.get_final_completion()
calls = [(t.id, t.function.arguments) for t in final.choices[0].message.tool_calls]
expect(calls == [("call_a", '{"country":"UK"}'), ("call_b", '{"country":"FR"}')]
       and final.usage.total_tokens == 68, "chat stream accumulates calls and usage")

try:
    for _ in oai(sse_client(data_sse(snap("openai_chat_stream_error")))).chat.completions.create(
            model="m", messages=HI, stream=True):
        pass
    expect(False, "chat error chunk raises")
except openai.APIError as e:
    expect(e.message == "The provider stopped answering.", "chat error chunk raises")

body = oai(json_client(snap("openai_chat_body_tools"))).chat.completions.create(model="m", messages=HI)
expect(body.choices[0].finish_reason == "tool_calls", "chat body validates")

with oai(sse_client(named_sse(snap("responses_stream_tool_turn")))).responses.stream(
        model="m", input="hi") as s:
    response = s.get_final_response()
expect([o.type for o in response.output] == ["reasoning", "message", "function_call"]
       and response.output_text == "Listing now.", "responses stream accumulates its items")

completed = snap("responses_stream_tool_turn")[-1]["data"]["response"]
expect(oai(json_client(completed)).responses.create(model="m", input="hi").status == "completed",
       "responses body validates")

with ant(sse_client(named_sse(snap("anthropic_thinking_stream")))).messages.stream(
        model="m", max_tokens=10, messages=HI) as s:
    message = s.get_final_message()
expect([b.type for b in message.content] == ["thinking", "text"] and message.usage.input_tokens == 43,
       "anthropic thinking stream accumulates with its signature and usage")

with ant(sse_client(named_sse(snap("anthropic_tool_stream")))).messages.stream(
        model="m", max_tokens=10, messages=HI) as s:
    message = s.get_final_message()
expect([getattr(b, "input", None) for b in message.content] == [None, {"name": "Alice"}, {}]
       and message.stop_reason == "tool_use", "anthropic tool stream parses every input")

error = [snap("anthropic_tool_stream")[0],
         {"event": "error", "data": {"type": "error", "error": {"type": "rate_limit_error", "message": "Slow down."}}}]
try:
    with ant(sse_client(named_sse(error))).messages.stream(model="m", max_tokens=10, messages=HI) as s:
        s.get_final_message()
    expect(False, "anthropic error event raises")
except anthropic.APIError:
    expect(True, "anthropic error event raises")

expect([m.id for m in oai(json_client(snap("models_openai"))).models.list()][0] == "cheap-coder",
       "openai model list validates")
expect([m.id for m in ant(json_client(snap("models_anthropic"))).models.list()][0] == "cheap-coder",
       "anthropic model list validates")
