"""Fresh devices cannot get a clean number blocked; a real campaign is."""

import pytest

from hardening.abuse import simulate

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def test_fresh_devices_never_block_a_clean_number_but_aged_reporters_block_scams(
    healthy,
):
    result = simulate(
        healthy,
        history=6,
        attackers=40,
        attack_step=20,
        campaign=3,
        max_reporters=24,
        campaign_step=4,
    )

    assert not result.clean_blocked, result.summary()
    assert result.campaign_blocked == 3, result.summary()
