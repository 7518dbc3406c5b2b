from referral_support import Api, new_referral


async def test_referral_can_be_received(api: Api) -> None:
    async with api.as_user("front_door") as client:
        r = await client.post("/v1/referrals", json=new_referral())
    assert r.status_code == 201, r.text
