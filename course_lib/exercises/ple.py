"""Chapter 6 exercises (PLE, Tang et al., RecSys 2020, Section 4.1; ESMM, Ma et al., SIGIR 2018, Section 2.3).

    cgc_gate   task k's output in CGC:  g^k(x) = softmax(W_g^k x) [E_(k,1..m_k), E_(s,1..m_s)]   (Eq. 2-4)
    esmm_loss  ESMM's loss:  BCE(pCTR, y) + BCE(pCTR * pCVR, y AND z), over all impressions   (Eq. 3)

Learner functions and their inputs:

    cgc_gate(x, w, own, shared) -> (B, H)     x (B, d), w (m_k + m_s, d) the gate matrix W_g^k,
                                              own (B, m_k, H) task k's experts, shared (B, m_s, H)
    esmm_loss(ctr_logit, cvr_logit, click, conversion) -> scalar   logits and 0/1 labels, all (B,)

Usage: ``from course_lib.exercises import ple as ex; ex.cgc_gate.check(my_cgc_gate)``.
Each reference keeps the learner's function name (``.solution()`` prints its source); the module name is
then rebound to the Exercise that checks it.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from .core import Case, Exercise, Mistake, not_finite

# ----------------------------------------------------------------------------------------------------------
# The CGC gate of one task


def cgc_gate(x: Tensor, w: Tensor, own: Tensor, shared: Tensor) -> Tensor:
    """softmax(W_g^k x) mixes [task k's experts, shared experts]: x (B, d), w (m_k + m_s, d) -> (B, H)."""
    gate = torch.softmax(x @ w.T, dim=-1)  # (B, m_k + m_s), Eq. (3)
    selected = torch.cat([own, shared], dim=1)  # (B, m_k + m_s, H): S^k(x), own experts first, Eq. (4)
    return (gate.unsqueeze(-1) * selected).sum(1)  # (B, H), Eq. (2)


def _cgc_cases() -> list[Case]:
    def case(B, d, m_k, m_s, H, note, scale=1.0):
        return Case((scale * torch.randn(B, d), torch.randn(m_k + m_s, d), torch.randn(B, m_k, H),
                     torch.randn(B, m_s, H)), note)
    return [
        case(5, 4, 2, 3, 6, "a random batch: B=5, d=4, m_k=2 own and m_s=3 shared experts, H=6"),
        case(1, 3, 1, 1, 2, "a batch of one, one own and one shared expert"),
        case(3, 3, 1, 2, 3, "a square case, B = m_k + m_s = H = 3"),
        case(4, 5, 3, 1, 2, "large inputs (logits in the hundreds)", scale=30.0),
    ]


def _shared_first(x, w, own, shared):
    return (torch.softmax(x @ w.T, -1).unsqueeze(-1) * torch.cat([shared, own], 1)).sum(1)


def _own_only(x, w, own, shared):
    m_k = own.shape[1]
    return (torch.softmax(x @ w[:m_k].T, -1).unsqueeze(-1) * own).sum(1)


def _cgc_over_batch(x, w, own, shared):
    return (torch.softmax(x @ w.T, 0).unsqueeze(-1) * torch.cat([own, shared], 1)).sum(1)


def _cgc_no_softmax(x, w, own, shared):
    return ((x @ w.T).unsqueeze(-1) * torch.cat([own, shared], 1)).sum(1)


def _cgc_mean(x, w, own, shared):
    return torch.cat([own, shared], 1).mean(1)


def _cgc_finite_probe(fn) -> str | None:
    args = (40 * torch.ones(2, 3), 40 * torch.eye(3), torch.ones(2, 1, 2), torch.ones(2, 2, 2))
    return not_finite(fn, args, "large logits gave inf or NaN: exp overflowed. Subtract each row's maximum "
                                "before exp, or call torch.softmax, which does it for you")


cgc_gate = Exercise(
    id="ple.cgc_gate", title="The CGC gate of one task",
    reference=cgc_gate, cases=_cgc_cases,
    mistakes=(
        Mistake("you put the shared experts first: Eq. (4) stacks task k's own experts first, then the shared ones, "
                "and row i of W_g^k scores expert i of that stack", _shared_first),
        Mistake("your gate mixes task k's own experts only: in CGC it selects over its own AND the shared experts "
                "(m_k + m_s weights); without the shared ones the tasks share nothing above the input", _own_only),
        Mistake("you normalised over the batch (dim=0): each example needs its own distribution over its "
                "m_k + m_s experts, a softmax over the last dimension", _cgc_over_batch),
        Mistake("these are the raw logits W_g^k x: the gate is their softmax, non-negative weights that sum to 1",
                _cgc_no_softmax),
        Mistake("your output does not depend on the gate: it is the plain mean of the experts", _cgc_mean),
    ),
    probes=(_cgc_finite_probe,),
    hint_text="Three steps: one score per example and expert (x is (B, d), w is (m_k + m_s, d)), a softmax per "
              "ROW, then stack the experts in the order the gate's rows refer to them (own first, shared "
              "second: (B, m_k + m_s, H)) and take the weighted sum over that expert axis.",
)

# ----------------------------------------------------------------------------------------------------------
# ESMM's loss over the entire space


def esmm_loss(ctr_logit: Tensor, cvr_logit: Tensor, click: Tensor, conversion: Tensor) -> Tensor:
    """Eq. (3), each term averaged over the batch: BCE(pCTR, y) + BCE(pCTR * pCVR, y AND z)."""
    ctcvr_label = click * conversion  # a conversion counts only after a click
    log_p = F.logsigmoid(ctr_logit) + F.logsigmoid(cvr_logit)  # log pCTCVR = log pCTR + log pCVR, Eq. (1)
    log_not_p = torch.log1p(-torch.exp(log_p))  # log(1 - pCTCVR)
    ctcvr_loss = -(ctcvr_label * log_p + (1 - ctcvr_label) * log_not_p).mean()
    return F.binary_cross_entropy_with_logits(ctr_logit, click) + ctcvr_loss


def _esmm_cases() -> list[Case]:
    def case(B, note, scale=1.5):
        click = (torch.rand(B) < 0.5).float()
        conversion = (torch.rand(B) < 0.5).float()  # a few conversions without a click, as logs have them
        return Case((scale * torch.randn(B), scale * torch.randn(B), click, conversion), note)
    return [case(8, "a random batch of 8 impressions, some converted without a click"),
            case(1, "a batch of one"),
            case(64, "a larger batch with confident towers (logits up to about 10)", scale=4.0)]


def _bce(p, y):
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


def _cvr_on_all(a, b, y, z):
    return F.binary_cross_entropy_with_logits(a, y) + F.binary_cross_entropy_with_logits(b, z)


def _cvr_on_clicks(a, b, y, z):
    seen = y > 0
    cvr = F.binary_cross_entropy_with_logits(b[seen], z[seen]) if seen.any() else b.sum() * 0
    return F.binary_cross_entropy_with_logits(a, y) + cvr


def _no_and(a, b, y, z):
    return F.binary_cross_entropy_with_logits(a, y) + _bce(torch.sigmoid(a) * torch.sigmoid(b), z)


def _logit_product(a, b, y, z):
    return F.binary_cross_entropy_with_logits(a, y) + F.binary_cross_entropy_with_logits(a * b, y * z)


def _logit_sum(a, b, y, z):
    return F.binary_cross_entropy_with_logits(a, y) + F.binary_cross_entropy_with_logits(a + b, y * z)


def _no_ctr_term(a, b, y, z):
    return _bce(torch.sigmoid(a) * torch.sigmoid(b), y * z)


def _summed(a, b, y, z):
    return len(y) * esmm_loss.reference(a, b, y, z)  # by the time it runs, esmm_loss names the Exercise


esmm_loss = Exercise(
    id="ple.esmm_loss", title="The ESMM loss over the entire space",
    reference=esmm_loss, cases=_esmm_cases,
    mistakes=(
        Mistake("you put a loss on pCVR with the conversion label over all impressions: pCVR is a probability "
                "AFTER a click, and an unclicked impression says nothing about it. ESMM has no pCVR loss: the "
                "second term is on pCTCVR = pCTR * pCVR with the label click AND conversion", _cvr_on_all),
        Mistake("you trained pCVR on the clicked impressions only: that is the baseline ESMM replaces (sample "
                "selection bias). The second term is on pCTCVR = pCTR * pCVR, over ALL impressions", _cvr_on_clicks),
        Mistake("the pCTCVR label must be click AND conversion (y & z): a conversion logged without a click is not a "
                "post-click conversion", _no_and),
        Mistake("you multiplied the LOGITS: pCTCVR is the product of the probabilities, "
                "sigmoid(ctr_logit) * sigmoid(cvr_logit)", _logit_product),
        Mistake("adding the logits does not multiply the probabilities: sigmoid(a + b) is not sigmoid(a) * "
                "sigmoid(b). Use log pCTCVR = logsigmoid(a) + logsigmoid(b)", _logit_sum),
        Mistake("the CTR term is missing: Eq. (3) is BCE(pCTR, click) + BCE(pCTCVR, click AND conversion); "
                "without it nothing pins down how the product splits into pCTR and pCVR", _no_ctr_term),
        Mistake("you summed over the batch: here, as in course_lib and the authors' code, each term is averaged "
                "(Eq. 3's sums differ only by the constant factor B)", _summed),
    ),
    hint_text="Two binary cross-entropies, each averaged over the batch: one for pCTR against the click, one "
              "for pCTR * pCVR against click * conversion. For the second, log(pCTR * pCVR) is "
              "logsigmoid(ctr_logit) + logsigmoid(cvr_logit): no product of tiny numbers needed.",
)
