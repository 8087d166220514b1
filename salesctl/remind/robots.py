"""Group robots of WeCom (企业微信) and DingTalk (钉钉): the requests, their pace, what the answers mean.

A robot is a webhook URL (it holds the robot's key or access token, so it comes from the
environment and is never shown whole). Each platform takes at most 20 messages a minute per
robot: `Window` makes a post wait until the oldest of the last 20 is a minute old (counting what
earlier runs posted, as the send journal tells), and a post the platform still refuses as too
fast (another program posting through the same robot) is tried once more a minute later.
DingTalk requests are signed when the robot has a secret (加签): the URL gets `timestamp` (ms)
and `sign`, the URL-encoded base64 of HMAC-SHA256 over `timestamp + "\\n" + secret` keyed with
the secret. The platforms' error codes become messages saying what to change.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque

from ..errors import RobotError

LIMITS = {"wecom": 4096, "dingtalk": 3500}  # bytes of markdown per message (see docs/notify.md)
PER_MINUTE = 20
NAMES = {"wecom": "WeCom", "dingtalk": "DingTalk"}
ANSWER_BYTES = 64 * 1024


class SystemClock:
    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float):
        time.sleep(seconds)


class Window:
    """At most `limit` posts in any `period` seconds, waiting (never dropping) when there were more."""

    def __init__(self, clock, limit: int = PER_MINUTE, period: float = 60.0):
        self.clock, self.limit, self.period = clock, limit, period
        self.sent: deque = deque()

    def seed(self, times):
        """Count posts made before this window was opened (by an earlier run) at these times."""
        self.sent = deque(sorted([*self.sent, *times]))

    def wait(self):
        while True:
            now = self.clock.time()
            while self.sent and self.sent[0] <= now - self.period:
                self.sent.popleft()
            if len(self.sent) < self.limit:
                break
            self.clock.sleep(self.sent[0] + self.period - now)
        self.sent.append(now)


def sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's `sign` parameter, URL-encoded."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode("ascii"))


def shown(url: str) -> str:
    """The webhook URL without the key or token it carries: host, path and the key's last 4 characters."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query)
    key = (query.get("key") or query.get("access_token") or [""])[0]
    return f"{parts.netloc}{parts.path}" + (f" (key …{key[-4:]})" if len(key) > 8 else "")


class Robot:
    """One group robot: `post` sends a request body and raises RobotError unless it was taken."""

    def __init__(self, via: str, url: str, secret: str | None = None, *, clock=None, timeout: float = 10.0,
                 opener=None, webhook_env: str = "", secret_env: str | None = None, keyword: str = ""):
        self.via, self.url, self.secret = via, url, secret
        self.clock = clock or SystemClock()
        self.window = Window(self.clock)
        self.timeout = timeout
        self.opener = opener or urllib.request.build_opener()
        self.webhook_env, self.secret_env, self.keyword = webhook_env, secret_env, keyword
        self.host = urllib.parse.urlsplit(url).netloc

    # --- request bodies ------------------------------------------------------------------

    def markdown(self, text: str, title: str, mobiles: list[str]) -> dict:
        if self.via == "wecom":
            return {"msgtype": "markdown", "markdown": {"content": text}}
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text},
                "at": {"atMobiles": mobiles, "isAtAll": False}}

    def mention(self, text: str, mobiles: list[str]) -> dict:
        """WeCom mentions by mobile only in a text message (its markdown knows only `<@userid>`)."""
        return {"msgtype": "text", "text": {"content": text, "mentioned_mobile_list": mobiles}}

    # --- posting -------------------------------------------------------------------------

    def post(self, body: dict):
        for attempt in (1, 2):
            self.window.wait()
            try:
                return self._send(body)
            except RobotError as exc:
                if not exc.too_fast or attempt == 2:
                    raise
            self.clock.sleep(self.window.period)

    def target(self) -> str:
        """The URL to post to: signed, for a DingTalk robot with a secret."""
        if self.via != "dingtalk" or not self.secret:
            return self.url
        stamp = int(self.clock.time() * 1000)
        return f"{self.url}{'&' if '?' in self.url else '?'}timestamp={stamp}&sign={sign(self.secret, stamp)}"

    def _send(self, body: dict):
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.target(), data=data, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                answer = response.read(ANSWER_BYTES)
        except urllib.error.HTTPError as exc:
            raise RobotError(f"{self.host} answered HTTP {exc.code} {exc.reason}" + (
                f": check the webhook URL in ${self.webhook_env}" if exc.code in (400, 401, 403, 404) else ""),
                fatal=exc.code in (400, 401, 403, 404), too_fast=exc.code == 429) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise RobotError(f"cannot reach {self.host}: {reason}", fatal=True) from None
        try:
            reply = json.loads(answer)
            code, text = int(reply["errcode"]), str(reply.get("errmsg", ""))
        except (ValueError, TypeError, KeyError):
            raise RobotError(f"{self.host} did not answer as a {NAMES[self.via]} robot does "
                             f"(check ${self.webhook_env})") from None
        if code != 0:
            raise (wecom_error if self.via == "wecom" else dingtalk_error)(code, text, self)


def wecom_error(code: int, text: str, robot: Robot) -> RobotError:
    said = f"errcode {code}: {text}" if text else f"errcode {code}"
    if code == 93000:
        return RobotError(f"WeCom does not know this robot's key ({said}): the robot was removed, or "
                          f"${robot.webhook_env} holds a wrong URL; copy the webhook URL again from the robot",
                          fatal=True)
    if code == 45009:
        return RobotError(f"WeCom refused the message as too fast ({said}): over 20 messages a minute on this "
                          f"robot, counting other programs that post through it", too_fast=True)
    if code == 40058:
        return RobotError(f"WeCom refused the message as invalid ({said})")
    return RobotError(f"WeCom refused the message ({said})")


def dingtalk_error(code: int, text: str, robot: Robot) -> RobotError:
    said = f"errcode {code}: {text}" if text else f"errcode {code}"
    lowered = text.lower()
    if code == 310000:
        if "keyword" in lowered or "关键词" in text:
            return RobotError(f"the message lacks the robot's custom keyword ({said}): add {robot.keyword!r} as a "
                              f"keyword in the robot's security settings", fatal=True)
        if "sign" in lowered or "签名" in text:
            if not robot.secret:
                return RobotError(f"the robot wants signed requests ({said}): give secret_env in notify and put the "
                                  f"robot's secret (SEC…) in that variable", fatal=True)
            return RobotError(f"the signature does not match ({said}): ${robot.secret_env} must hold the secret "
                              f"shown in the robot's security settings (加签, SEC…)", fatal=True)
        if "timestamp" in lowered or "时间戳" in text:
            return RobotError(f"DingTalk refused the request's time ({said}): this machine's clock is off by "
                              f"more than an hour", fatal=True)
        if re.search(r"\bip\b", lowered) or "whitelist" in lowered or "白名单" in text:
            return RobotError(f"this machine's IP address is not allowed by the robot ({said}): add it to the "
                              f"robot's IP allow-list (IP地址段)", fatal=True)
        return RobotError(f"the robot's security settings refused the message ({said})", fatal=True)
    if code in (130101, 410100):
        return RobotError(f"DingTalk refused the message as too fast ({said}): over 20 messages a minute on "
                          f"this robot, counting other programs that post through it", too_fast=True)
    if code in (300001, 300005, 400101, 400102, 400106):
        return RobotError(f"DingTalk does not know this robot's access token ({said}): the robot was removed or "
                          f"disabled, or ${robot.webhook_env} holds a wrong URL", fatal=True)
    return RobotError(f"DingTalk refused the message ({said})")
