"""The official OpenAI and Anthropic Python SDKs against a running Switchboard gateway.

`tests/gateway` (Rust) starts the gateway in-process over a loopback fake upstream, runs this
script with the venv's python and the cases to run as arguments, and checks what it prints
against the ledger. Each case prints one JSON line: what the SDK returned (content, usage, tool
calls, stream event types), or the exception it raised (class, HTTP status, message). Nothing
is asserted here: the Rust side holds every expectation, next to the scripted upstream.

Environment (set by the test, which clears everything else):
    SB_BASE_URL    http://127.0.0.1:PORT of the gateway
    SB_KEY         a valid client key
    SB_MODEL       a model name the gateway resolves (an OpenRouter id)
    SB_OTHER_KEY   a second client key (the budget cases use one with a tiny hard budget)
    SB_OTHER_MODEL a second model name (a thinking model, or a route)

SDK retries are off (`max_retries=0`): the gateway does its own retries, and a test that
waited out an SDK's backoff would be slow without proving more. Strict response validation is
on, so a field the SDKs' types require but the gateway left out fails the case.
"""

import json
import os
import sys
import traceback

try:
    import httpx2 as httpx
except ImportError:  # SDKs before the httpx2 move
    import httpx

BASE = os.environ["SB_BASE_URL"]
KEY = os.environ["SB_KEY"]
MODEL = os.environ.get("SB_MODEL", "")
OTHER_KEY = os.environ.get("SB_OTHER_KEY", "")
OTHER_MODEL = os.environ.get("SB_OTHER_MODEL", "")
TIMEOUT = 30.0
HI = [{"role": "user", "content": "Say hello."}]
WEATHER = {
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


def oai(key=KEY):
    import openai

    return openai.OpenAI(api_key=key, base_url=f"{BASE}/v1", max_retries=0, timeout=TIMEOUT,
                         _strict_response_validation=True)


def ant(key=KEY):
    import anthropic

    return anthropic.Anthropic(api_key=key, base_url=BASE, max_retries=0, timeout=TIMEOUT,
                               _strict_response_validation=True)


def dump(model):
    """A pydantic model (or anything) as plain JSON data."""
    if hasattr(model, "model_dump"):
        return model.model_dump(mode="json", exclude_none=True)
    return model


def event_types(events):
    """The distinct `type`s of a stream's events, in first-seen order."""
    seen = []
    for e in events:
        t = getattr(e, "type", None) or type(e).__name__
        if t not in seen:
            seen.append(t)
    return seen


# --- OpenAI chat completions ---------------------------------------------------------------


def chat_plain():
    r = oai().chat.completions.create(model=MODEL, messages=HI)
    c = r.choices[0]
    return {"id": r.id, "object": r.object, "model": r.model, "content": c.message.content,
            "role": c.message.role, "finish_reason": c.finish_reason, "usage": dump(r.usage)}


def chat_stream():
    stream = oai().chat.completions.create(
        model=MODEL, messages=HI, stream=True, stream_options={"include_usage": True})
    text, finish, usage, chunks, ids = "", None, None, 0, set()
    for chunk in stream:
        chunks += 1
        ids.add(chunk.id)
        if chunk.usage is not None:
            usage = dump(chunk.usage)
        for choice in chunk.choices:
            text += choice.delta.content or ""
            finish = choice.finish_reason or finish
    return {"content": text, "finish_reason": finish, "usage": usage, "chunks": chunks,
            "ids": len(ids)}


def chat_tools():
    client = oai()
    tools = [{"type": "function", "function": WEATHER}]
    asked = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = client.chat.completions.create(model=MODEL, messages=asked, tools=tools)
    message = first.choices[0].message
    calls = [{"id": t.id, "name": t.function.name, "arguments": t.function.arguments}
             for t in message.tool_calls or []]
    follow = asked + [message.model_dump(exclude_none=True)] + [
        {"role": "tool", "tool_call_id": c["id"], "content": "18 C and sunny"} for c in calls]
    second = client.chat.completions.create(model=MODEL, messages=follow, tools=tools)
    return {"finish_reason": first.choices[0].finish_reason, "tool_calls": calls,
            "first_usage": dump(first.usage), "content": second.choices[0].message.content,
            "second_finish_reason": second.choices[0].finish_reason}


def chat_cut():
    """A stream the upstream cuts after its first words: what arrived, then what was raised."""
    stream = oai().chat.completions.create(
        model=MODEL, messages=HI, stream=True, stream_options={"include_usage": True})
    text = ""
    try:
        for chunk in stream:
            for choice in chunk.choices:
                text += choice.delta.content or ""
    except Exception as e:  # noqa: BLE001 - the class is the result
        return {"content": text, **raised(e)}
    return {"content": text, "ended": True}


# --- OpenAI Responses ---------------------------------------------------------------------


def responses_plain():
    r = oai().responses.create(model=MODEL, input="Say hello.")
    return {"id": r.id, "object": r.object, "status": r.status, "output_text": r.output_text,
            "output_types": [o.type for o in r.output], "usage": dump(r.usage)}


def responses_stream():
    events = list(oai().responses.create(model=MODEL, input="Say hello.", stream=True))
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    done = [e.response for e in events if e.type == "response.completed"]
    final = done[-1] if done else None
    return {"event_types": event_types(events), "content": text,
            "output_text": final.output_text if final else None,
            "status": final.status if final else None,
            "usage": dump(final.usage) if final else None,
            "sequence_numbers_increase": all(
                b.sequence_number > a.sequence_number for a, b in zip(events, events[1:]))}


# --- Anthropic Messages -------------------------------------------------------------------


def message_fields(m):
    return {"id": m.id, "type": m.type, "role": m.role, "model": m.model,
            "stop_reason": m.stop_reason, "usage": dump(m.usage),
            "content": [dump(b) for b in m.content]}


def messages_plain():
    m = ant().messages.create(model=MODEL, max_tokens=256, messages=HI)
    return message_fields(m)


def messages_stream():
    with ant().messages.stream(model=MODEL, max_tokens=256, messages=HI) as s:
        events = list(s)
        m = s.get_final_message()
    return {"event_types": event_types(events), **message_fields(m)}


def messages_tools():
    client = ant()
    tool = {"name": WEATHER["name"], "description": WEATHER["description"],
            "input_schema": WEATHER["parameters"]}
    asked = [{"role": "user", "content": "What is the weather in Paris?"}]
    # Streamed, as Claude Code asks: the call's input arrives as `input_json_delta`.
    with client.messages.stream(model=MODEL, max_tokens=256, messages=asked, tools=[tool]) as s:
        events = list(s)
        first = s.get_final_message()
    uses = [b for b in first.content if b.type == "tool_use"]
    follow = asked + [
        {"role": "assistant", "content": [dump(b) for b in first.content]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": u.id, "content": "18 C and sunny"}
            for u in uses]},
    ]
    second = client.messages.create(model=MODEL, max_tokens=256, messages=follow, tools=[tool])
    return {"first": message_fields(first), "first_event_types": event_types(events),
            "second": message_fields(second)}


def messages_thinking():
    with ant().messages.stream(
            model=OTHER_MODEL, max_tokens=2048, messages=HI,
            thinking={"type": "enabled", "budget_tokens": 1024}) as s:
        events = list(s)
        m = s.get_final_message()
    return {"event_types": event_types(events), **message_fields(m)}


def messages_count_tokens():
    counted = ant().messages.count_tokens(model=MODEL, messages=HI, system="Be brief.")
    return {"input_tokens": counted.input_tokens}


# --- Model lists --------------------------------------------------------------------------


def models_openai():
    page = oai().models.list()
    return {"ids": [m.id for m in page], "objects": sorted({m.object for m in page}),
            "owned_by": sorted({m.owned_by for m in page})}


def models_anthropic():
    page = ant().models.list(limit=1000)
    return {"ids": [m.id for m in page], "types": sorted({m.type for m in page}),
            "display_names": [m.display_name for m in page][:3]}


# --- Refusals -----------------------------------------------------------------------------


def invalid_key_openai():
    oai("sb-not-a-key-0000000000000000000000000000000000").chat.completions.create(
        model=MODEL, messages=HI)


def invalid_key_anthropic():
    ant("sb-not-a-key-0000000000000000000000000000000000").messages.create(
        model=MODEL, max_tokens=16, messages=HI)


def missing_key():
    """No key at all: no SDK sends that, so plain HTTP."""
    r = httpx.post(f"{BASE}/v1/chat/completions", json={"model": MODEL, "messages": HI},
                   timeout=TIMEOUT)
    return {"status": r.status_code, "body": r.json()}


def foreign_host():
    """A page that rebound its own name to 127.0.0.1 sends its own Host."""
    r = httpx.post(f"{BASE}/v1/chat/completions", json={"model": MODEL, "messages": HI},
                   headers={"Host": "attacker.example:80", "Authorization": f"Bearer {KEY}"},
                   timeout=TIMEOUT)
    return {"status": r.status_code, "body": r.json()}


def budget_openai():
    oai(OTHER_KEY).chat.completions.create(model=MODEL, messages=HI)


def budget_anthropic():
    ant(OTHER_KEY).messages.create(model=MODEL, max_tokens=256, messages=HI)


def rate_limited():
    oai().chat.completions.create(model=OTHER_MODEL, messages=HI)


def raised(e):
    body = getattr(e, "body", None)
    return {"raised": type(e).__name__,
            "bases": [c.__name__ for c in type(e).__mro__],
            "status": getattr(e, "status_code", None),
            "message": getattr(e, "message", str(e)),
            "body": body if isinstance(body, (dict, list, str)) else None}


CASES = {f.__name__: f for f in [
    chat_plain, chat_stream, chat_tools, chat_cut, responses_plain, responses_stream,
    messages_plain, messages_stream, messages_tools, messages_thinking, messages_count_tokens,
    models_openai,
    models_anthropic, invalid_key_openai, invalid_key_anthropic, missing_key, foreign_host,
    budget_openai, budget_anthropic, rate_limited]}


def main():
    for name in sys.argv[1:]:
        try:
            result = {"returned": CASES[name]()}
        except Exception as e:  # noqa: BLE001 - reported, judged by the Rust side
            result = raised(e)
            result["traceback"] = traceback.format_exc(limit=3)
        print(json.dumps({"case": name, **result}), flush=True)


if __name__ == "__main__":
    main()
