from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from starlette.concurrency import run_in_threadpool

from api.deps import BearerToken, Config, Ctx, CurrentActor, client_address
from api.limits import reject_nul
from api.schemas import ERRORS, Open, TokenOut
from engine import services

router = APIRouter(prefix="/api/v1/auth", tags=["登录"], responses=ERRORS)


@router.post("/token", response_model=TokenOut, summary="用户名密码登录，换取访问令牌")
async def token(
    request: Request, ctx: Ctx, config: Config, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> dict[str, str]:
    reject_nul([form.username, form.password])
    access_token = await run_in_threadpool(
        services.login,
        ctx,
        username=form.username,
        password=form.password,
        ttl=timedelta(minutes=config.token_ttl_minutes),
        address=client_address(request),
    )
    return {"access_token": access_token, "token_type": "bearer"}


@router.post("/logout", status_code=204, summary="注销当前令牌")
def logout(ctx: Ctx, actor: CurrentActor, bearer: BearerToken) -> Response:
    services.logout(ctx, actor, bearer or "")
    return Response(status_code=204)


@router.get("/me", response_model=Open, summary="当前用户")
def me(actor: CurrentActor) -> dict[str, object]:
    return actor.summary()
