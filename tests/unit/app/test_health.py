import asyncio

from app.errors import ServiceUnavailable
from app.health import check_all


async def up(timeout: float) -> str:
    return "fine"


async def down(timeout: float) -> None:
    raise ServiceUnavailable("postgres", "connection refused")


async def hangs(timeout: float) -> None:
    await asyncio.sleep(60)


async def test_all_up_is_healthy() -> None:
    healthy, body = await check_all({"kafka": up, "milvus": up}, timeout=1)
    assert healthy
    assert body["status"] == "up"
    assert body["services"]["kafka"]["detail"] == "fine"


async def test_one_down_names_it() -> None:
    healthy, body = await check_all({"kafka": up, "postgres": down}, timeout=1)
    assert not healthy
    assert body["down"] == ["postgres"]
    assert body["services"]["postgres"]["detail"] == "connection refused"
    assert body["services"]["kafka"]["status"] == "up"


async def test_a_hanging_probe_times_out_without_blocking_others() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    healthy, body = await check_all({"milvus": hangs, "kafka": up}, timeout=0.1)
    assert not healthy
    assert body["down"] == ["milvus"]
    assert loop.time() - started < 2
