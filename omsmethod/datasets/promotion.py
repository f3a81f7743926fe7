"""Synthetic promotion study: purchase behaviour (between) x promotion type (within).

Each respondent rates, on a 1-7 scale, how likely they are to buy under four promotion
types. The planted latent cell means (before rounding and clipping to 1-7) are

================  ==============  =======  ====  ==========  =========
behaviour         price_discount  lottery  gift  bonus_pack  row mean
================  ==============  =======  ====  ==========  =========
habitual          5.5             3.5      4.0   5.0         4.50
variety_seeking   4.5             5.5      5.0   4.0         4.75
complex           4.0             3.0      4.5   5.5         4.25
column mean       4.67            4.00     4.50  4.83        4.50
================  ==============  =======  ====  ==========  =========

so there are main effects of promotion and behaviour and a strong crossover
interaction: the best promotion is the price discount for habitual buyers, the lottery
for variety seekers and the bonus pack for complex buyers. Women rate 0.25 higher than
men (no interaction with gender); age group has no effect. A rating is
``round(cell mean + gender shift + u_i + e_ij)`` clipped to 1-7, with a respondent
effect ``u_i ~ N(0, 0.8^2)`` and noise ``e_ij ~ N(0, 1)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["generate", "CELL_MEANS", "LABELS_ZH", "BEHAVIOURS", "PROMOTIONS"]

BEHAVIOURS = ["habitual", "variety_seeking", "complex"]
PROMOTIONS = ["price_discount", "lottery", "gift", "bonus_pack"]
CELL_MEANS = pd.DataFrame(
    [[5.5, 3.5, 4.0, 5.0], [4.5, 5.5, 5.0, 4.0], [4.0, 3.0, 4.5, 5.5]],
    index=pd.Index(BEHAVIOURS, name="behaviour"),
    columns=pd.Index(PROMOTIONS, name="promotion"),
)
GENDER_SHIFT = {"female": 0.25, "male": 0.0}
SD_RESPONDENT = 0.8
SD_NOISE = 1.0
LABELS_ZH = {
    "habitual": "习惯型购买",
    "variety_seeking": "多样性寻求型购买",
    "complex": "复杂型购买",
    "price_discount": "价格折扣",
    "lottery": "抽奖",
    "gift": "赠品",
    "bonus_pack": "加量包装",
    "female": "女",
    "male": "男",
    "behaviour": "购买行为",
    "promotion": "促销方式",
    "likelihood": "购买可能性",
    "gender": "性别",
    "age_group": "年龄组",
}


def generate(n_per_behaviour: int = 100, seed: int = 20061130) -> pd.DataFrame:
    """Simulate the promotion study in long format.

    Parameters
    ----------
    n_per_behaviour : int
        Respondents per purchase behaviour.
    seed : int
        Seed of the numpy Generator; the same seed gives the same data.

    Returns
    -------
    pandas.DataFrame
        One row per respondent and promotion: ``respondent``, ``behaviour``,
        ``gender``, ``age_group``, ``promotion``, ``likelihood`` (integer 1-7).
        Chinese labels of the levels and columns are in :data:`LABELS_ZH`.

    Examples
    --------
    >>> df = generate(n_per_behaviour=5, seed=1)
    >>> df.shape, bool(df["likelihood"].between(1, 7).all())
    ((60, 6), True)
    """
    rng = np.random.default_rng(seed)
    n = n_per_behaviour * len(BEHAVIOURS)
    behaviour = np.repeat(np.arange(len(BEHAVIOURS)), n_per_behaviour)
    gender = rng.choice(["female", "male"], size=n)
    age_group = rng.choice(["18-29", "30-44", "45-59", "60+"], size=n, p=[0.3, 0.3, 0.25, 0.15])
    u = rng.normal(0.0, SD_RESPONDENT, size=n)
    latent = (
        CELL_MEANS.to_numpy()[behaviour]
        + np.vectorize(GENDER_SHIFT.get)(gender)[:, None]
        + u[:, None]
        + rng.normal(0.0, SD_NOISE, size=(n, len(PROMOTIONS)))
    )
    rating = np.clip(np.rint(latent), 1, 7).astype(int)
    width = len(str(n))
    return pd.DataFrame(
        {
            "respondent": np.repeat([f"R{i + 1:0{width}d}" for i in range(n)], len(PROMOTIONS)),
            "behaviour": np.repeat(np.array(BEHAVIOURS)[behaviour], len(PROMOTIONS)),
            "gender": np.repeat(gender, len(PROMOTIONS)),
            "age_group": np.repeat(age_group, len(PROMOTIONS)),
            "promotion": np.tile(PROMOTIONS, n),
            "likelihood": rating.ravel(),
        }
    )
