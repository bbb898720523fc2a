"""Behaviour of the box and anchor helpers of chapter 13 (13.3 bounding boxes, 13.4 anchors).

Expected values are derived by hand in the comments (the same derivations as
on the pages), not copied from the functions' output. Where MXNet has a
compiled operator for the same job (npx.multibox_prior, npx.multibox_target,
npx.multibox_detection, nd.contrib.box_iou), the library is also compared
with it on random inputs.
"""
import math

import mxnet as mx
import numpy as onp
import pytest
from d2l import mxnet as d2l
from mxnet import np, npx

npx.set_np()

W, H = 600, 400                       # the coffee photo used on the anchor page
SCALE = onp.array([W, H, W, H], dtype='float32')
CUP = [170, 10, 410, 310]             # 240 x 300 pixels, area 72000
SPOON = [320, 60, 430, 330]           # 110 x 270 pixels, area 29700
LABEL_ANCHORS = [[100, 20, 220, 140], [180, 40, 380, 300], [300, 70, 440, 340],
                 [150, 0, 420, 290], [340, 100, 420, 250]]


def norm(boxes_px):
    """Pixel corners -> normalized corners, as an mx array."""
    return np.array(onp.asarray(boxes_px, dtype='float32') / SCALE)


def coffee_labels():
    """(1, 2, 5): cup is class 0, spoon class 1."""
    rows = [[0] + list(onp.asarray(CUP) / SCALE), [1] + list(onp.asarray(SPOON) / SCALE)]
    return np.array([rows])


def strip(x0, x1):
    """An interval on the x axis as a box of height 1: its IoUs are interval IoUs."""
    return [x0, 0.0, x1, 1.0]


# -- 13.3 box representations ------------------------------------------------------

def test_corner_to_center_by_hand():
    # Shuttle of the astronaut photo: center ((353+465)/2, (2+288)/2) = (409, 145),
    # size (465-353, 288-2) = (112, 286).
    boxes = np.array([[353.0, 2.0, 465.0, 288.0], [0.0, 0.0, 4.0, 2.0]])
    expected = [[409, 145, 112, 286], [2, 1, 4, 2]]
    onp.testing.assert_array_equal(d2l.box_corner_to_center(boxes).asnumpy(), expected)
    onp.testing.assert_array_equal(d2l.box_center_to_corner(np.array(expected, dtype='float32')).asnumpy(),
                                   boxes.asnumpy())


def test_box_conversions_accept_one_box_and_extra_axes():
    one = np.array([24.0, 15.0, 365.0, 512.0])
    onp.testing.assert_array_equal(d2l.box_corner_to_center(one).asnumpy(), [194.5, 263.5, 341, 497])
    npx.random.seed(0)
    batch = np.random.uniform(size=(2, 3, 4))
    out = d2l.box_center_to_corner(d2l.box_corner_to_center(batch))
    assert out.shape == (2, 3, 4)
    onp.testing.assert_allclose(out.asnumpy(), batch.asnumpy(), atol=1e-6)


def test_bbox_to_rect():
    rect = d2l.bbox_to_rect([24.0, 15.0, 365.0, 512.0], 'blue')
    assert rect.get_xy() == (24.0, 15.0)
    assert (rect.get_width(), rect.get_height()) == (341.0, 497.0)
    assert not rect.get_fill()
    # mx arrays work as well as lists
    rect = d2l.bbox_to_rect(np.array([1.0, 2.0, 4.0, 8.0]), 'r')
    assert (rect.get_width(), rect.get_height()) == (3.0, 6.0)


# -- 13.4 anchor generation ---------------------------------------------------------

def test_multibox_prior_tiny_grid():
    # h=2, w=3, s=0.5, r=1: normalized width 2*0.5/3 = 1/3, height 0.5, so the anchor
    # of pixel (i, j) is exactly the pixel's cell [j/3, i/2, (j+1)/3, (i+1)/2].
    Y = d2l.multibox_prior(np.zeros((1, 3, 2, 3)), sizes=[0.5], ratios=[1])
    expected = [[j / 3, i / 2, (j + 1) / 3, (i + 1) / 2] for i in range(2) for j in range(3)]
    assert Y.shape == (1, 6, 4)
    onp.testing.assert_allclose(Y[0].asnumpy(), expected, atol=1e-6)


def test_multibox_prior_order_and_shapes():
    h, w = 4, 6
    sizes, ratios = [0.75, 0.5, 0.25], [1, 2, 0.5]
    Y = d2l.multibox_prior(np.zeros((2, 3, h, w)), sizes, ratios)
    assert Y.shape == (1, h * w * 5, 4)
    # Per pixel: every size with ratios[0], then sizes[0] with the other ratios.
    pairs = [(0.75, 1), (0.5, 1), (0.25, 1), (0.75, 2), (0.75, 0.5)]
    boxes = Y.reshape(h, w, 5, 4).asnumpy()
    for i in range(h):
        for j in range(w):
            cx, cy = (j + 0.5) / w, (i + 0.5) / h
            for k, (s, r) in enumerate(pairs):
                half_w, half_h = s * math.sqrt(r) * h / w / 2, s / math.sqrt(r) / 2
                onp.testing.assert_allclose(boxes[i, j, k], [cx - half_w, cy - half_h,
                                                             cx + half_w, cy + half_h], atol=1e-6)
    # In pixels the aspect ratio is r and the area (h s)^2.
    px = boxes[0, 0] * onp.array([w, h, w, h])
    widths, heights = px[:, 2] - px[:, 0], px[:, 3] - px[:, 1]
    onp.testing.assert_allclose(widths / heights, [r for _, r in pairs], rtol=1e-5)
    onp.testing.assert_allclose(widths * heights, [(h * s) ** 2 for s, _ in pairs], rtol=1e-5)


def test_tinyssd_anchor_count():
    # Five feature maps 32, 16, 8, 4, 1 with 2 sizes and 3 ratios: 4 anchors per pixel,
    # 4 * (1024 + 256 + 64 + 16 + 1) = 5444, the count of the SSD section.
    total = sum(d2l.multibox_prior(np.zeros((1, 8, n, n)), [0.2, 0.272], [1, 2, 0.5]).shape[1]
                for n in (32, 16, 8, 4, 1))
    assert total == 5444


@pytest.mark.parametrize('shape,sizes,ratios', [
    ((5, 7), [0.75, 0.5, 0.25], [1, 2, 0.5]),
    ((4, 4), [0.2, 0.272], [1, 2, 0.5]),
    ((3, 8), [0.9], [1, 3, 1 / 3, 0.7]),
    ((1, 1), [0.88, 0.961], [1, 2, 0.5]),
])
def test_multibox_prior_matches_mxnet_operator(shape, sizes, ratios):
    X = np.zeros((1, 3) + shape)
    ours = d2l.multibox_prior(X, sizes, ratios)
    theirs = npx.multibox_prior(X, sizes=sizes, ratios=ratios)
    assert ours.shape == theirs.shape
    onp.testing.assert_allclose(ours.asnumpy(), theirs.asnumpy(), atol=1e-6)


# -- 13.4 IoU -------------------------------------------------------------------

def test_box_iou_hand_cases():
    square = np.array([[0.0, 0.0, 4.0, 4.0]])
    others = np.array([[2.0, 1.0, 6.0, 5.0],    # intersection 2 x 3 = 6: 6 / (16 + 16 - 6)
                       [1.0, 1.0, 3.0, 3.0],    # inside: 4 / 16
                       [5.0, 0.0, 6.0, 1.0],    # disjoint
                       [4.0, 0.0, 8.0, 4.0],    # touching along an edge
                       [0.0, 0.0, 4.0, 4.0]])   # identical
    iou = d2l.box_iou(square, others)
    assert iou.shape == (1, 5)
    onp.testing.assert_allclose(iou.asnumpy()[0], [6 / 26, 0.25, 0, 0, 1], rtol=1e-6)
    onp.testing.assert_allclose(d2l.box_iou(others, square).asnumpy()[:, 0], iou.asnumpy()[0])


def test_box_iou_coffee_table():
    # The table of the anchor page, computed there by hand from pixel areas.
    expected = [[6000 / 80400, 0],
                [52000 / 72000, 14400 / 67300],
                [26400 / 83400, 28600 / 38900],
                [67200 / 83100, 23000 / 85000],
                [10500 / 73500, 12000 / 29700]]
    # IoU is unchanged by scaling the axes: pixels and normalized coordinates agree.
    for scale in (onp.ones(4, dtype='float32'), SCALE):
        iou = d2l.box_iou(np.array(onp.asarray(LABEL_ANCHORS, 'float32') / scale),
                          np.array(onp.asarray([CUP, SPOON], 'float32') / scale))
        onp.testing.assert_allclose(iou.asnumpy(), expected, rtol=1e-5, atol=1e-7)


def test_box_iou_matches_mxnet_operator():
    rng = onp.random.default_rng(1)
    # Sorting each pair of points along axis 1 gives (x1, y1, x2, y2) with x1 <= x2, y1 <= y2.
    corners = lambda n: onp.sort(rng.uniform(0, 1, (n, 2, 2)), axis=1).reshape(n, 4)
    a, b = corners(7).astype('float32'), corners(5).astype('float32')
    assert (a[:, 2:] >= a[:, :2]).all() and (b[:, 2:] >= b[:, :2]).all()
    ours = d2l.box_iou(np.array(a), np.array(b)).asnumpy()
    theirs = mx.nd.contrib.box_iou(mx.nd.array(a), mx.nd.array(b), format='corner').asnumpy()
    # The comparison must cover real overlaps, not just clipped zeros (16 of 35 with this seed).
    assert (ours > 0).mean() >= 0.3
    onp.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-7)


# -- 13.4 labeling anchors ---------------------------------------------------------

def test_assign_coffee_example():
    # Stage 1: largest IoU 0.8087 (A3, cup), then 0.7352 (A2, spoon).
    # Stage 2: A0 0.0746 < 0.5 -> -1; A1 0.7222 with the cup -> 0; A4 0.4040 -> -1.
    got = d2l.assign_anchor_to_bbox(norm([CUP, SPOON]), norm(LABEL_ANCHORS), npx.cpu())
    assert got.dtype == onp.int32
    assert got.asnumpy().tolist() == [-1, 0, 1, 0, -1]


def test_assign_stage1_overrides_threshold():
    # Objects B0 = [0, 10], B1 = [5, 15]; anchors A0 = [1, 11], A1 = [0, 10].
    # IoU(A0, B0) = 9/11, IoU(A0, B1) = 6/14, IoU(A1, B0) = 1, IoU(A1, B1) = 5/15.
    # Stage 1 gives B0 to A1 (IoU 1), then B1 to A0, the only anchor left, although
    # A0's own best object is B0 with 9/11 >= 0.5.
    objects = np.array([strip(0, 10), strip(5, 15)])
    anchors = np.array([strip(1, 11), strip(0, 10)])
    assert d2l.assign_anchor_to_bbox(objects, anchors, npx.cpu()).asnumpy().tolist() == [1, 0]


def test_assign_threshold_is_inclusive():
    # One object [0, 10]. A0 = [0, 10] (IoU 1) is taken by stage 1; A1 = [0, 5] has
    # IoU 5/10 = 0.5 exactly, which passes a threshold of 0.5 (>=) but not 0.6;
    # A2 = [20, 30] does not overlap.
    objects = np.array([strip(0, 10)])
    anchors = np.array([strip(0, 10), strip(0, 5), strip(20, 30)])
    assert d2l.assign_anchor_to_bbox(objects, anchors, npx.cpu()).asnumpy().tolist() == [0, 0, -1]
    assert d2l.assign_anchor_to_bbox(objects, anchors, npx.cpu(),
                                     iou_threshold=0.6).asnumpy().tolist() == [0, -1, -1]


def test_offset_boxes_by_hand():
    # A1 (center (280, 170), 200 x 260) against the cup (center (290, 160), 240 x 300).
    expected = [10 * (290 - 280) / 200, 10 * (160 - 170) / 260,
                5 * math.log(240 / 200), 5 * math.log(300 / 260)]
    for scale in (onp.ones(4, dtype='float32'), SCALE):
        anchor = np.array(onp.asarray([LABEL_ANCHORS[1]], 'float32') / scale)
        box = np.array(onp.asarray([CUP], 'float32') / scale)
        onp.testing.assert_allclose(d2l.offset_boxes(anchor, box).asnumpy()[0], expected,
                                    rtol=1e-5, atol=1e-5)
    # A shift by a tenth of the anchor's width is an x offset of 1 (sigma_x = 0.1);
    # doubling the height is an h offset of 5 log 2 (sigma_h = 0.2).
    anchor = np.array([[0.0, 0.0, 2.0, 1.0]])
    box = np.array([[0.2, -0.5, 2.2, 1.5]])
    onp.testing.assert_allclose(d2l.offset_boxes(anchor, box).asnumpy()[0],
                                [1, 0, 0, 5 * math.log(2)], atol=1e-5)


def test_multibox_target_coffee_example():
    offsets, mask, classes = d2l.multibox_target(np.expand_dims(norm(LABEL_ANCHORS), 0), coffee_labels())
    assert offsets.shape == (1, 20) and mask.shape == (1, 20) and classes.shape == (1, 5)
    assert classes.dtype == onp.int32 and mask.dtype == onp.int32
    # background = 0, cup = 0 + 1, spoon = 1 + 1; assignment (-1, 0, 1, 0, -1)
    assert classes.asnumpy().tolist() == [[0, 1, 2, 1, 0]]
    assert mask.asnumpy().reshape(5, 4).tolist() == [[0] * 4, [1] * 4, [1] * 4, [1] * 4, [0] * 4]
    expected = [[0, 0, 0, 0],
                [10 * 10 / 200, 10 * -10 / 260, 5 * math.log(240 / 200), 5 * math.log(300 / 260)],
                [10 * 5 / 140, 10 * -10 / 270, 5 * math.log(110 / 140), 0],
                [10 * 5 / 270, 10 * 15 / 290, 5 * math.log(240 / 270), 5 * math.log(300 / 290)],
                [0, 0, 0, 0]]
    onp.testing.assert_allclose(offsets.asnumpy().reshape(5, 4), expected, atol=1e-4)


def test_multibox_target_batch_and_padding():
    anchors = np.expand_dims(norm(LABEL_ANCHORS), 0)
    coffee = coffee_labels()[0].asnumpy()
    spoon_only = onp.array([[1] + list(onp.asarray(SPOON) / SCALE)], dtype='float32')
    pad = -onp.ones((1, 5), dtype='float32')
    # Image 0: cup and spoon; image 1: the spoon and a padding row.
    batch = np.array(onp.stack([coffee, onp.concatenate([spoon_only, pad])]))
    offsets, mask, classes = d2l.multibox_target(anchors, batch)
    assert classes.shape == (2, 5)
    alone = d2l.multibox_target(anchors, np.array(spoon_only[None]))
    assert classes[0].asnumpy().tolist() == [0, 1, 2, 1, 0]
    # With only the spoon: stage 1 picks A2 (0.7352); no other anchor reaches 0.5.
    assert classes[1].asnumpy().tolist() == [0, 0, 2, 0, 0]
    for ours, single in zip((offsets, mask, classes), alone):
        onp.testing.assert_array_equal(ours[1].asnumpy(), single[0].asnumpy())


def _random_labels(rng, batch, num_objects):
    xy = rng.uniform(0.05, 0.6, (batch, num_objects, 2))
    wh = rng.uniform(0.15, 0.35, (batch, num_objects, 2))
    cls = rng.integers(0, 3, (batch, num_objects, 1))
    return onp.concatenate([cls, xy, xy + wh], axis=2).astype('float32')


def test_multibox_target_matches_mxnet_operator():
    rng = onp.random.default_rng(2)
    anchors = d2l.multibox_prior(np.zeros((1, 3, 5, 5)), [0.3, 0.15], [1, 2, 0.5])  # 100 anchors
    labels = np.array(_random_labels(rng, batch=4, num_objects=3))
    ours = d2l.multibox_target(anchors, labels)
    theirs = npx.multibox_target(anchors, labels, np.zeros((4, 4, anchors.shape[1])))
    onp.testing.assert_array_equal(ours[2].asnumpy(), theirs[2].asnumpy())   # classes
    onp.testing.assert_array_equal(ours[1].asnumpy(), theirs[1].asnumpy())   # masks
    # offsets: the operator has no eps inside the logarithm
    onp.testing.assert_allclose(ours[0].asnumpy(), theirs[0].asnumpy(), atol=1e-4)
    assert ours[2].asnumpy().max() > 0  # the comparison is not vacuous


# -- 13.4 prediction ----------------------------------------------------------------

def test_offset_inverse_by_hand_and_round_trip():
    anchor = np.array([[0.0, 0.0, 2.0, 1.0]])
    # zero offsets give the anchor back; t_x = 1 moves the center by 0.1 * width = 0.2;
    # t_w = 5 log 2 doubles the width about the center (1, 0.5).
    preds = np.array([[0.0, 0, 0, 0], [1.0, 0, 0, 0], [0, 0, 5 * math.log(2), 0]])
    got = d2l.offset_inverse(np.concatenate([anchor] * 3), preds).asnumpy()
    onp.testing.assert_allclose(got, [[0, 0, 2, 1], [0.2, 0, 2.2, 1], [-1, 0, 3, 1]], atol=1e-6)
    rng = onp.random.default_rng(3)
    anchors = np.array(_random_labels(rng, 1, 20)[0, :, 1:])
    boxes = np.array(_random_labels(rng, 1, 20)[0, :, 1:])
    back = d2l.offset_inverse(anchors, d2l.offset_boxes(anchors, boxes))
    onp.testing.assert_allclose(back.asnumpy(), boxes.asnumpy(), atol=1e-5)


NMS_BOXES = [[170, 10, 410, 310], [160, 30, 400, 320], [200, 50, 420, 300], [320, 60, 430, 330]]
NMS_PROBS = [[0.05, 0.1, 0.1, 0.1], [0.9, 0.8, 0.7, 0.05], [0.05, 0.1, 0.2, 0.85]]


def test_nms_coffee_example():
    # Confidences 0.9, 0.8, 0.7, 0.85 -> order P0, P3, P1, P2.
    # IoU(P0, P1) = 0.834, IoU(P0, P2) = 0.705, IoU(P0, P3) = 0.284, IoU(P3, P2) = 0.395.
    boxes, scores = norm(NMS_BOXES), np.array([0.9, 0.8, 0.7, 0.85])
    assert d2l.nms(boxes, scores, 0.5).asnumpy().tolist() == [0, 3]
    assert d2l.nms(boxes, scores, 0.75).asnumpy().tolist() == [0, 3, 2]
    assert d2l.nms(boxes, scores, 0.9).asnumpy().tolist() == [0, 3, 1, 2]


def test_nms_keeps_boxes_at_exactly_the_threshold():
    # IoU of [0, 3] and [1, 4] is 2 / 4 = 0.5: suppressed only if IoU > threshold.
    boxes, scores = np.array([strip(0, 3), strip(1, 4)]), np.array([0.9, 0.8])
    assert d2l.nms(boxes, scores, 0.5).asnumpy().tolist() == [0, 1]
    assert d2l.nms(boxes, scores, 0.49).asnumpy().tolist() == [0]


def test_multibox_detection_coffee_example():
    out = d2l.multibox_detection(np.array([NMS_PROBS]), np.zeros((1, 16)),
                                 np.expand_dims(norm(NMS_BOXES), 0), nms_threshold=0.5)
    assert out.shape == (1, 4, 6)
    expected = [[0, 0.9] + list(onp.asarray(NMS_BOXES[0]) / SCALE),    # kept cup
                [1, 0.85] + list(onp.asarray(NMS_BOXES[3]) / SCALE),   # kept spoon
                [-1, 0.8] + list(onp.asarray(NMS_BOXES[1]) / SCALE),   # suppressed, by index
                [-1, 0.7] + list(onp.asarray(NMS_BOXES[2]) / SCALE)]
    onp.testing.assert_allclose(out[0].asnumpy(), expected, atol=1e-6)


def test_multibox_detection_tie_order_of_the_original():
    # The original section's example: dog 0.9, 0.8, 0.7 and cat 0.9 on four anchors.
    # Its printed output lists the cat (anchor 3) before the dog (anchor 0): for equal
    # confidences the later anchor comes first (a reversed stable sort of few scores).
    anchors = np.array([[[0.1, 0.08, 0.52, 0.92], [0.08, 0.2, 0.56, 0.95],
                         [0.15, 0.3, 0.62, 0.91], [0.55, 0.2, 0.9, 0.88]]])
    probs = np.array([[[0] * 4, [0.9, 0.8, 0.7, 0.1], [0.1, 0.2, 0.3, 0.9]]])
    out = d2l.multibox_detection(probs, np.zeros((1, 16)), anchors).asnumpy()[0]
    onp.testing.assert_allclose(out[:, :2], [[1, 0.9], [0, 0.9], [-1, 0.8], [-1, 0.7]], atol=1e-6)


def test_multibox_detection_low_confidence_is_background():
    # Anchor 0: object probabilities 0.004 and 0.006 < 0.01 -> class -1 and confidence
    # 1 - 0.006 = 0.994. Anchor 1 (far away, confident) is unaffected.
    probs = np.array([[[0.99, 0.1], [0.004, 0.0], [0.006, 0.9]]])
    anchors = np.array([[[0.0, 0.0, 0.2, 0.2], [0.6, 0.6, 0.9, 0.9]]])
    out = d2l.multibox_detection(probs, np.zeros((1, 8)), anchors).asnumpy()[0]
    onp.testing.assert_allclose(out[:, :2], [[1, 0.9], [-1, 0.994]], atol=1e-6)


def test_multibox_detection_matches_mxnet_operator():
    rng = onp.random.default_rng(4)
    anchors = d2l.multibox_prior(np.zeros((1, 3, 4, 4)), [0.4, 0.2], [1, 2, 0.5])  # 64 anchors
    n = anchors.shape[1]
    logits = rng.normal(0, 2, (3, 4, n))
    probs = (onp.exp(logits) / onp.exp(logits).sum(axis=1, keepdims=True)).astype('float32')
    offsets = rng.normal(0, 0.5, (3, 4 * n)).astype('float32')
    ours = d2l.multibox_detection(np.array(probs), np.array(offsets), anchors).asnumpy()
    theirs = npx.multibox_detection(np.array(probs), np.array(offsets), anchors, clip=False,
                                    force_suppress=True, threshold=0.009999999,
                                    nms_threshold=0.5).asnumpy()
    assert ours.shape == theirs.shape == (3, n, 6)
    for a, b in zip(ours, theirs):
        # The detections (class >= 0) agree in content and order; the operator
        # orders the discarded rows differently.
        kept_a, kept_b = a[a[:, 0] >= 0], b[b[:, 0] >= 0]
        assert len(kept_a) > 1
        onp.testing.assert_allclose(kept_a, kept_b, atol=1e-5)


# -- 13.4 drawing -------------------------------------------------------------------

def test_show_bboxes_draws_boxes_and_labels():
    fig, ax = d2l.plt.subplots()
    d2l.show_bboxes(ax, np.array([[0.0, 0, 10, 10], [5.0, 5, 20, 20], [1.0, 1, 2, 2]]),
                    ['a', 'b'], 'k')
    assert len(ax.patches) == 3
    assert [t.get_text() for t in ax.texts] == ['a', 'b']
    assert all(p.get_edgecolor()[:3] == (0, 0, 0) for p in ax.patches)
    d2l.show_bboxes(ax, [onp.array([0, 0, 1, 1])], 'single')
    assert [t.get_text() for t in ax.texts][-1] == 'single'
    d2l.plt.close(fig)
