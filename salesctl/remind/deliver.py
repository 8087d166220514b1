"""`remind --send`: each person's reminders over each channel of `notify`, every item delivered once a day.

Delivery is per channel and person: a failure is reported and the rest goes on. A channel stops
early only when nothing more can get through it (its settings are missing, its server cannot be
reached, the robot's key is wrong): every later message would fail the same way, and each is
reported as not sent. Each delivery is written to the send journal (`journal`) as soon as it is
made, under the channel's lock, so that a rerun the same day, or a second run at the same time,
delivers only what is still missing; `resend` sends everything again. Webhook URLs and secrets
come from the environment only (the variables `notify` names).
"""

from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from datetime import date, datetime

from .. import storage
from ..errors import JournalError, MailError, MailRefused, NotConfigured, RobotError
from ..render.locale import reminder_texts
from . import journal, mail, markdown
from .remind import message
from .robots import LIMITS, Robot, SystemClock

SENT, ALREADY, PLANNED, FAILED = "sent", "already sent", "planned", "failed"


@dataclass
class Outcome:
    """What became of one person's items on one channel."""

    channel: str
    person: str  # team member id
    items: int
    status: str  # sent | already sent | planned (a dry run) | failed
    where: str = ""  # the e-mail address, or which message of the run
    reason: str = ""  # why it failed


@dataclass
class Channel:
    """A channel of `notify` with what the environment gives it; `problem` says what is missing."""

    via: str
    webhook_env: str | None = None
    secret_env: str | None = None
    url: str | None = None
    secret: str | None = None
    problem: str | None = None


def channels(config, env=None, via=()) -> list[Channel]:
    """The channels of `notify` (only those in `via`, when given), in their order, with their settings."""
    env = os.environ if env is None else env
    listed = [c["via"] for c in config.notify]
    for name in via:
        if name not in listed:
            raise NotConfigured(f"{name} is not a channel of notify in salesctl.yaml (it lists {', '.join(listed)})")
    out = []
    for settings in config.notify:
        if via and settings["via"] not in via:
            continue
        channel = Channel(settings["via"], settings["webhook_env"], settings["secret_env"])
        if channel.webhook_env:
            channel.url = env.get(channel.webhook_env) or None
            if channel.url is None:
                channel.problem = f"{channel.webhook_env} is not set (cron does not read your shell profile)"
            elif not channel.url.startswith(("https://", "http://")):
                channel.problem = f"{channel.webhook_env} does not hold a webhook URL (https://…)"
        if channel.secret_env and channel.problem is None:
            channel.secret = env.get(channel.secret_env) or None
            if channel.secret is None:
                channel.problem = f"{channel.secret_env} is not set (cron does not read your shell profile)"
        out.append(channel)
    return out


def send(ws, people: list[dict], as_of: date, *, via=(), resend: bool = False, dry_run: bool = False, env=None,
         clock=None, timeout: float = 30.0, lock_timeout: float | None = None, smtp_factory=smtplib.SMTP,
         opener=None) -> list[Outcome]:
    """Deliver `people` (as `remind.reminders` gives them) on every channel, or those in `via`.

    `dry_run` sends and records nothing: the outcomes say what would go where (`planned`).
    `clock` (time() and sleep()), `smtp_factory` and `opener` (urllib) are replaceable for tests.
    """
    run = _Run(ws, as_of, resend, dry_run, os.environ if env is None else env, clock or SystemClock(), timeout,
               smtp_factory, opener)
    outcomes = []
    for channel in channels(ws.config, run.env, via):
        outcomes += run.channel(channel, people, lock_timeout)
    return outcomes


def failed(outcomes) -> list[Outcome]:
    return [o for o in outcomes if o.status == FAILED]


class _Run:
    def __init__(self, ws, as_of, resend, dry_run, env, clock, timeout, smtp_factory, opener):
        self.ws, self.as_of, self.resend, self.dry_run, self.env = ws, as_of, resend, dry_run, env
        self.clock, self.timeout, self.smtp_factory, self.opener = clock, timeout, smtp_factory, opener

    def channel(self, channel: Channel, people: list[dict], lock_timeout) -> list[Outcome]:
        if channel.problem:
            return [Outcome(channel.via, p["to"], len(p["items"]), FAILED, reason=channel.problem) for p in people]
        deliver = self._email if channel.via == "email" else self._robot
        try:
            if self.dry_run:
                return self._split(channel, people, journal.delivered(self.ws.root, self.as_of, channel.via), deliver)
            with journal.channel_lock(self.ws.root, channel.via, lock_timeout):
                done = journal.delivered(self.ws.root, self.as_of, channel.via)
                return self._split(channel, people, done, deliver)
        except (JournalError, storage.StorageError, OSError) as exc:
            reason = f"{getattr(exc, 'strerror', None) or exc}"
            if not isinstance(exc, storage.LockTimeout):
                reason = f"the send journal cannot be kept: {reason}"
            return [Outcome(channel.via, p["to"], len(p["items"]), FAILED, reason=reason) for p in people]

    def _split(self, channel, people, done, deliver) -> list[Outcome]:
        """Each person's items already delivered today (one outcome) and those still to go (to `deliver`)."""
        earlier, work = [], []
        for person in people:
            have = set() if self.resend else done.get(person["to"], set())
            pending = [item for item in person["items"] if journal.ref(item) not in have]
            if len(pending) < len(person["items"]):
                earlier.append(Outcome(channel.via, person["to"], len(person["items"]) - len(pending), ALREADY))
            if pending:
                work.append({**person, "items": pending})
        return earlier + deliver(channel, work)

    def _record(self, channel: Channel, person: str, items: list):
        at = datetime.fromtimestamp(self.clock.time()).astimezone()
        journal.record(self.ws.root, self.as_of, channel.via, person, items, at)

    # --- e-mail ------------------------------------------------------------------------------

    def _email(self, channel: Channel, work: list[dict]) -> list[Outcome]:
        config = self.ws.config
        outcomes, stopped = [], None
        try:
            sender = mail.address(config.company.get("name"), config.smtp["from"])
            mailer = mail.Mailer(config.smtp, self.env.get(mail.PASSWORD_ENV), timeout=self.timeout,
                                 factory=self.smtp_factory, env=self.env)
        except MailError as exc:
            sender = mailer = None
            stopped = str(exc)
        for person in work:
            outcome = Outcome(channel.via, person["to"], len(person["items"]), FAILED, person.get("email") or "")
            outcomes.append(outcome)
            if stopped:
                outcome.reason = stopped
                continue
            if not person.get("email"):
                outcome.reason = "no e-mail address"
                continue
            try:
                built = message(self.ws, person, self.as_of, sender)
            except MailError as exc:  # an address that cannot go into a header
                outcome.reason = str(exc)
                continue
            if self.dry_run:
                outcome.status = PLANNED
                continue
            try:
                mailer.send(built)
            except MailRefused as exc:
                outcome.reason = str(exc)
                continue
            except MailError as exc:
                outcome.reason = stopped = str(exc)
                continue
            stopped = self._delivered(channel, person["to"], person["items"], outcome)
        if mailer is not None:
            mailer.close()
        return outcomes

    def _delivered(self, channel, person: str, items: list, outcome: Outcome) -> str | None:
        """Record a delivery; when it cannot be recorded, why the channel must stop."""
        try:
            self._record(channel, person, items)
        except JournalError as exc:
            outcome.reason = f"delivered, but {exc}: a rerun today would deliver it again"
            return f"not sent: {exc}"
        outcome.status = SENT
        return None

    # --- group robots --------------------------------------------------------------------

    def _robot(self, channel: Channel, work: list[dict]) -> list[Outcome]:
        words = reminder_texts(self.ws.config.locale)
        sections = []
        for person in work:
            member = self.ws.member(person["to"]) or {}
            sections.append(markdown.Section(person["to"], member.get("name") or person["to"],
                                             markdown.mention_number(member.get("mobile")), person["items"]))
        title = f"{words['keyword']} {self.as_of.isoformat()}"
        posts = markdown.posts(sections, title=title, words=words, style=markdown.STYLES[channel.via],
                               limit=LIMITS[channel.via])
        robot = Robot(channel.via, channel.url, channel.secret, clock=self.clock, timeout=self.timeout,
                      opener=self.opener, webhook_env=channel.webhook_env, secret_env=channel.secret_env,
                      keyword=words["keyword"])
        if not self.dry_run:  # a WeCom message may have had its @mention message after it: count both
            earlier = journal.posted_since(self.ws.root, channel.via, self.clock.time() - robot.window.period)
            robot.window.seed(earlier * (2 if channel.via == "wecom" else 1))
        outcomes, stopped = [], None
        for number, post in enumerate(posts, 1):
            where = "the group" + (f" (message {number} of {len(posts)})" if len(posts) > 1 else "")
            mine = [Outcome(channel.via, person, len(items), FAILED, where) for person, items, _ in post.parts]
            outcomes += mine
            if stopped or self.dry_run:
                for outcome in mine:
                    outcome.status, outcome.reason = (PLANNED, "") if self.dry_run else (FAILED, stopped)
                continue
            try:
                robot.post(robot.markdown(post.text, title, post.mobiles))
            except RobotError as exc:
                for outcome in mine:
                    outcome.reason = str(exc)
                stopped = str(exc) if exc.fatal else None
                continue
            for outcome, (person, items, _) in zip(mine, post.parts):
                stopped = self._delivered(channel, person, items, outcome) or stopped
            if channel.via == "wecom" and post.mobiles and not stopped:
                stopped = self._mention(channel, robot, post, where, words, outcomes)
        return outcomes

    def _mention(self, channel, robot, post, where, words, outcomes) -> str | None:
        """WeCom: the text message that @mentions the people of the markdown message just posted."""
        text = words["mention"].format(keyword=words["keyword"], as_of=self.as_of.isoformat())
        try:
            robot.post(robot.mention(text, post.mobiles))
        except RobotError as exc:
            for person, _, mobile in post.parts:
                if mobile:
                    outcomes.append(Outcome(channel.via, person, 0, FAILED, where,
                                            f"its items were posted, but not the @mention: {exc}"))
            return str(exc) if exc.fatal else None
        return None
