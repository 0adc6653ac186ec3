"""The `signalhub` command: one typer app assembled from one module per concern."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="signalhub: family-risk signals hub")


@app.callback()
def main() -> None:
    """signalhub: family-risk signals hub"""
    from signalhub_cli.demo_support import end_with_parent

    end_with_parent()  # a no-op unless started by `signalhub demo`


def _register() -> None:
    # Each concern adds its sub-app here, one line each.
    from signalhub_cli import db

    app.add_typer(db.app, name="db")
    from signalhub_cli import agencies, broker, topics

    app.add_typer(agencies.app, name="agencies")
    app.add_typer(agencies.roles_app, name="roles")

    app.add_typer(broker.app, name="broker")
    app.add_typer(topics.app, name="topics")
    from signalhub_cli import relay

    app.add_typer(relay.app, name="relay")
    from signalhub_cli import notifier

    app.add_typer(notifier.app, name="notifier")
    from signalhub_cli import scheduler

    app.add_typer(scheduler.app, name="scheduler")
    from signalhub_cli import dlq

    app.add_typer(dlq.app, name="dlq")
    from signalhub_cli import link

    link.register(app)
    from signalhub_cli import producers

    producers.register(app)
    from signalhub_cli import api, users

    app.add_typer(api.app, name="api")
    app.add_typer(users.app, name="users")
    from signalhub_cli import intake

    app.add_typer(intake.app, name="intake")
    from signalhub_cli import demo

    app.add_typer(demo.app, name="demo")


_register()
