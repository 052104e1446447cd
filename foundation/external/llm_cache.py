"""The LLM cache: completions, streams, structured answers and embeddings keyed on the canonical
request, so a test or a pipeline rerun replays the stored answer instead of calling out.

- key: sha256 of the request as OpenAI would receive it (model resolved, messages, tools,
  parameters, response format) in canonical JSON (sorted keys, no spaces), and the operation;
  the same request written with its dicts in another order has the same key.
- store: a directory of JSON files, one per key, written atomically (`DirectoryStore`), or a
  dict (`MemoryStore`). A file holds the request and the answer, never a header or a credential
  (any secret of the client found in it is replaced by `[redacted]` before writing).
- mode: "record" (a miss calls out and stores the answer), "replay" (a miss raises `LLMCacheMiss`
  naming the request and never calls out: for tests) or "off" (every call goes out).

`LLMCache` offers the OpenAI client's methods (`complete`, `stream`, `structured`, `embed`); a
stream is stored as its deltas and replayed as the same deltas.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import msgspec

from foundation.external.openai import (
    ChatDelta,
    ChatRequest,
    ChatResponse,
    OpenAIClient,
    S,
    decode_structured,
    request_arguments,
    structured_request,
)
from foundation.external.settings import ExternalSettings, LLMCacheMode

REDACTED = "[redacted]"


class LLMCacheMiss(Exception):
    """Replay mode found no stored answer for a request (and made no call)."""

    def __init__(self, key: str, model: str, first_user_message: str | None) -> None:
        shown = (first_user_message or "")[:80]
        super().__init__(
            f"LLM cache miss in replay mode: model {model!r}, first user message {shown!r}, key {key} "
            "(record it with LLM_CACHE_MODE=record against the real service or a fake)"
        )
        self.key = key
        self.model = model
        self.first_user_message = first_user_message


class CacheStore(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes) -> None: ...


class MemoryStore:
    def __init__(self) -> None:
        self.entries: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.entries.get(key)

    def put(self, key: str, data: bytes) -> None:
        self.entries[key] = data


class DirectoryStore:
    """`<directory>/<key>.json`, each written to a temporary file and renamed into place, so a
    reader never sees half a file. The directory is made on the first write."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def get(self, key: str) -> bytes | None:
        try:
            return (self.directory / f"{key}.json").read_bytes()
        except FileNotFoundError:
            return None

    def put(self, key: str, data: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self.directory, prefix=f".{key}.", delete=False) as file:
            file.write(data)
        os.replace(file.name, self.directory / f"{key}.json")


class _Entry(msgspec.Struct, frozen=True):
    """A stored answer, as written. The request is kept for people reading the files."""

    key: str
    operation: str
    request: Any
    response: Any


R = TypeVar("R")


class _Stored(msgspec.Struct, Generic[R], frozen=True):
    """An entry as read on a hit: the answer alone, decoded straight into its type (the other
    fields are skipped)."""

    response: R


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8 (what `json.dumps(sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)` writes, at a fraction of the cost)."""
    return _encoder.encode(value)


_encoder = msgspec.json.Encoder(order="sorted")


def cache_key(operation: str, request: Any) -> str:
    return hashlib.sha256(canonical_json({"operation": operation, "request": request})).hexdigest()


def _first_user_message(request: ChatRequest) -> str | None:
    return next((m.content for m in request.messages if m.role == "user"), None)


class LLMCache:
    """Wraps an `OpenAIClient` (which needs no key until it calls out: replay never does)."""

    def __init__(self, llm: OpenAIClient, store: CacheStore, mode: LLMCacheMode = "replay") -> None:
        self.llm = llm
        self.store = store
        self.mode = mode

    @classmethod
    def from_settings(cls, settings: ExternalSettings, llm: OpenAIClient | None = None) -> LLMCache:
        """LLM_CACHE_MODE (unset: replay in tests, else off) and LLM_CACHE_DIR (unset: in memory,
        for this process only)."""
        directory = settings.llm_cache_dir
        store: CacheStore = DirectoryStore(directory) if directory is not None else MemoryStore()
        return cls(llm or OpenAIClient(settings), store, settings.cache_mode)

    def _lookup(
        self, operation: str, request: Any, answer: type[R], model: str, first: str | None
    ) -> tuple[str, R | None]:
        key = cache_key(operation, request)
        data = self.store.get(key)
        if data is not None:
            return key, msgspec.json.decode(data, type=_Stored[answer]).response
        if self.mode == "replay":
            raise LLMCacheMiss(key, model, first)
        return key, None

    def _save(self, key: str, operation: str, request: Any, response: Any) -> None:
        text = canonical_json(_Entry(key, operation, request, response)).decode()
        for secret in self.llm.secrets():
            text = text.replace(secret, REDACTED)
        self.store.put(key, text.encode())

    async def complete(
        self, request: ChatRequest, *, check: Callable[[ChatResponse], object] | None = None
    ) -> ChatResponse:
        """`check` runs on a fresh answer before it is kept: when it raises, the answer is not
        stored (a rerun asks again instead of replaying an answer known to be bad)."""
        if self.mode == "off":
            return await self.llm.complete(request)
        model = self.llm.model_for(request)
        material = request_arguments(request, model)
        key, stored = self._lookup("chat", material, ChatResponse, model, _first_user_message(request))
        if stored is not None:
            return stored
        response = await self.llm.complete(request)
        if check is not None:
            check(response)
        self._save(key, "chat", material, response)
        return response

    async def stream(self, request: ChatRequest) -> AsyncIterator[ChatDelta]:
        if self.mode == "off":
            async for delta in self.llm.stream(request):
                yield delta
            return
        model = self.llm.model_for(request)
        material = request_arguments(request, model)
        key, stored = self._lookup("chat.stream", material, list[ChatDelta], model, _first_user_message(request))
        if stored is not None:
            for delta in stored:
                yield delta
            return
        seen: list[ChatDelta] = []
        async for delta in self.llm.stream(request):
            seen.append(delta)
            yield delta
        self._save(key, "chat.stream", material, seen)  # only a stream that finished

    async def structured(self, request: ChatRequest, answer: type[S]) -> S:
        """A malformed answer raises (naming the field) and is not kept in the cache."""
        response = await self.complete(
            structured_request(request, answer), check=lambda fresh: decode_structured(fresh, answer)
        )
        return decode_structured(response, answer)

    async def embed(self, texts: Sequence[str], *, model: str | None = None) -> list[list[float]]:
        if self.mode == "off":
            return await self.llm.embed(texts, model=model)
        chosen = model or self.llm.settings.openai_embedding_model
        material = {"model": chosen, "input": list(texts)}
        key, stored = self._lookup("embeddings", material, list[list[float]], chosen, texts[0] if texts else None)
        if stored is not None:
            return stored
        vectors = await self.llm.embed(texts, model=model)
        self._save(key, "embeddings", material, vectors)
        return vectors
