"""普惠: the partner service circle, coupon campaigns (claim and 免申即享), redemption, lotteries."""
