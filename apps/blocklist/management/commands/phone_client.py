"""Play a phone: ``manage.py phone_client --server URL --region US``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.blocklist.phone import PhoneClient, PhoneState, SyncError


class Command(BaseCommand):
    help = (
        "Sync the block list the way the app does, over HTTP with only the "
        "standard library: register (or reuse the state file's token), take "
        "the full list, then deltas on later runs. Every answer is checked "
        "(sorted, unique, nothing both added and removed); --verify also "
        "compares the list held with a fresh full list."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--server", required=True, help="e.g. http://127.0.0.1:8000"
        )
        parser.add_argument("--region", required=True, help="ISO 3166 region, e.g. US")
        parser.add_argument("--limit", type=int, default=None, help="Most entries held")
        parser.add_argument(
            "--state", type=Path, default=None, help="JSON file kept between runs"
        )
        parser.add_argument("--platform", choices=["android", "ios"], default="android")
        parser.add_argument("--token", default="", help="Use this device token")
        parser.add_argument(
            "--verify",
            action="store_true",
            help="After syncing, fetch the full list and compare",
        )

    def handle(self, *args, **options):
        path: Path | None = options["state"]
        client = PhoneClient(options["server"])
        region = options["region"].upper()
        state = PhoneState.load(path)
        if state.server != client.server:
            state = PhoneState(server=client.server)
        if (state.region, state.limit) != (region, options["limit"]):
            # Another list: what is held says nothing about it.
            state.region, state.limit = region, options["limit"]
            state.version, state.etag, state.entries = None, "", []
        if options["token"]:
            state.token = options["token"]

        try:
            if not state.token:
                state.token = client.register(
                    region=region, platform=options["platform"]
                )
                self.stdout.write("registered a new device")
            result = client.sync(state)
            if options["verify"]:
                client.verify(state)
        except SyncError as error:
            raise CommandError(str(error)) from error
        finally:
            state.save(path)

        if result.status == 304:
            how = "unchanged (304)"
        elif result.full:
            how = f"full list ({result.added} entries)"
        else:
            how = f"delta (+{result.added} -{result.removed})"
        counts = ", ".join(f"{action} {n}" for action, n in state.counts().items())
        self.stdout.write(
            f"region {region} version {state.version}: {how}, "
            f"{result.wire_bytes} bytes on the wire"
        )
        self.stdout.write(f"holding {len(state.entries)} entries ({counts or 'none'})")
        if options["verify"]:
            self.stdout.write("verified: the list held equals a fresh full list")
