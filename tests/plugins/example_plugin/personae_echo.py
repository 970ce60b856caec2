"""Echo: an example network plugin. It talks to no server: reading a source gives back one
greeting from its handle, and publishing "succeeds" with an id derived from the post's
idempotency key, so the same post published twice has the same id, as the interface asks."""

from __future__ import annotations

from personae.networks import (
    Capabilities,
    FetchResult,
    Network,
    NewItem,
    Post,
    Published,
    Rejected,
    Source,
    Verified,
)


class EchoNetwork(Network):
    name = "echo"
    title = "Echo"
    capabilities = Capabilities(max_length=42, needs_secret=False, secret_label="none")

    def verify(self, source: Source) -> Verified:
        if not source.handle:
            raise Rejected("echo needs a handle")
        return Verified(handle=source.handle.lower(), display_name=source.handle)

    def fetch(self, source: Source) -> FetchResult:
        greeting = NewItem(
            remote_id=f"echo:{source.handle}:hello",
            created=0.0,
            author=source.handle,
            text=f"hello from {source.handle}",
        )
        return FetchResult(items=[greeting], cursor="hello")

    def publish(self, source: Source, post: Post) -> Published:
        if problem := self.check_length(post.text):
            raise Rejected(problem)
        return Published(remote_id=f"echo:{source.handle}:{post.idem_key}")
