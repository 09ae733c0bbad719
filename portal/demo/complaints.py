"""Demo complaints and reports over the last fourteen months: most finished (a few late),
recent ones open, some overdue, with timelines, ratings and supporters, and the follow-up
questionnaire's answers (回访) four weeks after closing: a "没有解决" case reopened, and
closed again unless that was recent. Personal data is
fake (Faker), and stored exactly as real data is: masked, keyed-hashed, encrypted."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

from portal import personal
from portal.complaints import rules
from portal.complaints.handling import units
from portal.complaints.follow_up import FOLLOW_UP_DAYS
from portal.complaints.models import (ACCEPTED, CLOSED, COMPLAINT, FOLLOW_UP_LABELS, IN_PROGRESS, RATINGS, REFUSED,
                                      REOPENED, REPORT, SUBMITTED, UNRESOLVED, Complaint, ComplaintEvent,
                                      ComplaintFollowUp)
from portal.db import bulk_insert
from portal.meta import set_meta
from portal.registry.models import Business, District
from portal.timeutil import LOCAL_TZ
from portal.workdays import WorkCalendar

EXAMPLE_KEY = "demo_tracking_example"
STORIES = {
    "食品变质/过期": ("购买的{food}已经过了保质期，包装上的日期被贴纸遮住。", ["酸奶", "面包", "火腿肠", "饼干"]),
    "异物": ("在{food}里吃出了一根头发，拍了照片。", ["米粉", "盒饭", "包子", "凉面"]),
    "卫生状况差": ("后厨地面油污严重，看到有老鼠出没，{food}直接放在地上。", ["蔬菜", "生肉", "餐具"]),
    "无证经营": ("这家店没有悬挂营业执照和食品经营许可证，长期在路边售卖{food}。", ["卤味", "烧烤", "凉菜"]),
    "虚假宣传": ("店里宣传{food}是“纯手工、无添加”，但配料表里有多种添加剂。", ["腊肉", "糍粑", "辣酱"]),
    "标签问题": ("{food}的包装上没有生产日期和生产厂家，也没有中文标签。", ["进口巧克力", "散装糖果", "蜂蜜"]),
    "食物中毒疑似": ("家里三人吃了{food}后腹泻呕吐，去医院看了急诊。", ["外卖盒饭", "凉拌菜", "海鲜"]),
    "其他": ("{food}价格标示不清，结账时比标价贵。", ["熟食", "水果"]),
}
CLAIMS = ["退货退款", "退一赔十", "赔偿医药费并道歉", "退款并要求商家整改"]
REPLIES = {"调解成功": "经调解，商户同意退款并赔偿，双方达成一致。",
           "调解不成，终止调解": "经组织调解，双方未能达成一致，依法终止调解。您可依法向人民法院起诉。",
           "投诉人撤回投诉": "您已与商户自行协商解决并撤回投诉。",
           "已告知依法向其他部门反映": "该事项不属于本部门职责，已告知您向有关部门反映。",
           "立案查处": "经现场核查，情况属实，已依法立案调查，处理结果将依法公示。",
           "责令整改": "经现场检查，发现问题属实，已责令商户立即整改并将复查。",
           "经核查未发现违法行为，不予立案": "经现场核查，未发现您反映的违法行为，决定不予立案。",
           "移送有关部门处理": "该线索涉及其他部门职责，已依法移送处理。"}


def generate_complaints(session, ctx) -> int:
    rng, faker, today = ctx.rng, ctx.faker, ctx.today
    count = ctx.counts.get("complaints", 0)
    businesses = session.execute(
        select(Business.id, Business.name, Business.address, Business.district_adcode,
               Business.lat, Business.lng).join(District)
        .where(District.jurisdiction_adcode == ctx.profile.adcode, Business.is_demo.is_(True))).all()
    if not businesses:
        return 0
    calendar = WorkCalendar()
    rule_sets = rules.rule_sets()
    categories = list(STORIES)
    weights = [0.24, 0.16, 0.2, 0.1, 0.06, 0.1, 0.04, 0.1]
    unit_names = units([d.name for d in ctx.profile.districts])
    secret = ctx.secret_key
    # Popular places draw more complaints: a few businesses get many.
    picks = rng.zipf(1.6, count) % len(businesses)
    rows, plans, example = [], [], None
    for i in range(count):
        business = businesses[int(picks[i])]
        kind = COMPLAINT if rng.random() < 0.62 else REPORT
        category = str(rng.choice(categories, p=weights))
        age = int(rng.integers(0, 420))
        received_on = today - timedelta(days=age)
        local = datetime.combine(received_on, time(int(rng.integers(7, 23)), int(rng.integers(0, 60))),
                                 LOCAL_TZ)
        moment = min(local.astimezone(timezone.utc).replace(tzinfo=None), ctx.now)  # naive UTC
        rule_set = rules.rule_set_for(received_on, rule_sets)
        template, foods = STORIES[category]
        anonymous = kind == REPORT and rng.random() < 0.4
        phone = None if anonymous else f"1{int(rng.choice([3, 5, 7, 8, 9]))}{int(rng.integers(0, 10**9)):09d}"
        name = None if anonymous else faker.name()
        tracking = f"{'TS' if kind == COMPLAINT else 'JB'}{received_on:%Y%m%d}" + \
            "".join(personal._ALPHABET[int(j)] for j in rng.integers(0, len(personal._ALPHABET), 6))
        code = "".join(personal._ALPHABET[int(j)] for j in rng.integers(0, len(personal._ALPHABET), 8))
        first_days = rule_set.accept_days if kind == COMPLAINT else rule_set.decide_days
        first_due = calendar.add_working_days(received_on, first_days)
        # How far the case got, by its age in working days.
        elapsed = calendar.working_days_between(received_on, today)
        roll = rng.random()
        if elapsed < 2 or (elapsed < first_days and roll < 0.5) or (elapsed < 25 and roll < 0.02):
            status = SUBMITTED
        elif kind == COMPLAINT and roll < 0.08:
            status = REFUSED
        elif elapsed < (rule_set.close_days if kind == COMPLAINT else first_days) and roll < 0.6:
            status = IN_PROGRESS
        else:
            status = CLOSED
        accept_after = int(rng.integers(1, first_days + 2))   # sometimes a day late
        accepted_on = calendar.add_working_days(received_on, accept_after).day \
            if status in (ACCEPTED, IN_PROGRESS, CLOSED) else None
        if accepted_on and accepted_on > today:
            accepted_on, status = None, SUBMITTED
        due_kind, due = ("accept" if kind == COMPLAINT else "decide"), first_due
        if kind == COMPLAINT and accepted_on:
            due_kind, due = "close", calendar.add_working_days(accepted_on, rule_set.close_days)
        finished_on = None
        if status == REFUSED:
            finished_on = calendar.add_working_days(received_on, accept_after).day
        elif status == CLOSED:
            if kind == COMPLAINT:   # mediation counted from acceptance
                span = int(rng.integers(3, rule_set.close_days + 2))
                finished_on = calendar.add_working_days(accepted_on, span).day
            else:                   # the 立案 decision counted from receipt
                span = max(accept_after, int(rng.integers(3, first_days + 2)))
                finished_on = calendar.add_working_days(received_on, span).day
            if finished_on > today:
                status, finished_on = IN_PROGRESS, None
        if finished_on and finished_on > today:
            finished_on = today
        outcome = str(rng.choice(rules.outcomes(kind))) if status == CLOSED else None
        rating = None
        if finished_on and rng.random() < 0.6:
            rating = str(rng.choice(RATINGS, p=[0.72, 0.2, 0.08]))
        # 回访: a quarter of complainants gave an e-mail and answered the questionnaire.
        asked = None
        if status == CLOSED and finished_on + timedelta(days=FOLLOW_UP_DAYS + 7) <= today and rng.random() < 0.25:
            answer = str(rng.choice(list(FOLLOW_UP_LABELS), p=[0.66, 0.2, 0.14]))
            answered_on = finished_on + timedelta(days=FOLLOW_UP_DAYS + int(rng.integers(0, 7)))
            asked = (answer, answered_on, finished_on)      # (answer, its day, the first close)
            if answer == UNRESOLVED:
                again = calendar.add_working_days(answered_on, int(rng.integers(3, 20))).day
                due_kind, due = "reopen", calendar.add_working_days(answered_on, rule_set.close_days)
                if again <= today:
                    finished_on = again
                else:
                    status, finished_on = REOPENED, None
        rows.append({
            "tracking_no": tracking, "code_hash": personal.keyed_hash(secret, "code", code),
            "kind": kind, "category": category, "business_id": business.id,
            "business_name": business.name, "district_adcode": business.district_adcode,
            "address": business.address, "lat": business.lat, "lng": business.lng,
            "occurred_on": received_on - timedelta(days=int(rng.integers(0, 5))),
            "description": "演示数据：" + template.format(food=str(rng.choice(foods))),
            "claim": str(rng.choice(CLAIMS)) if kind == COMPLAINT else None,
            "contact_name_enc": personal.encrypt(secret, name),
            "phone_enc": personal.encrypt(secret, phone),
            "phone_hash": personal.keyed_hash(secret, "phone", phone) if phone else None,
            "phone_masked": personal.mask_mobile(phone) if phone else None,
            "anonymous": anonymous, "consent_at": moment, "status": status,
            "received_at": moment, "received_on": received_on, "rule_set": rule_set.id,
            "due_on": None if finished_on else due.day,
            "due_provisional": False if finished_on else due.provisional,
            "due_kind": None if finished_on else due_kind, "extended": False,
            "accepted_on": accepted_on, "reopened_on": asked[1] if asked and asked[0] == UNRESOLVED else None,
            "refusal_reason": rules.refusal_grounds()[int(rng.integers(0, 5))] if status == REFUSED else None,
            "assigned_unit": unit_names[int(rng.integers(0, len(unit_names)))] if accepted_on else None,
            "awaiting_citizen": status == IN_PROGRESS and rng.random() < 0.1,
            "finished_on": finished_on,
            "finished_working_days": calendar.working_days_between(received_on, finished_on) if finished_on else None,
            "on_time": (finished_on <= due.day) if finished_on else None,
            "outcome": outcome, "reply": REPLIES[outcome] if outcome else None,
            "merged_into_id": None, "supporters": int(rng.poisson(0.3)),
            "rating": rating, "rating_comment": None,
            "rated_at": datetime.combine(finished_on or asked[2], time(4)) if rating else None,
            "personal_erased_at": None, "is_demo": True, "updated_at": ctx.now})
        plans.append((moment, status, accepted_on, finished_on, asked))
        if example is None and status in (CLOSED,) and rating is None:
            example = f"{tracking} {code}"
    bulk_insert(session, Complaint.__table__, rows)
    ids = dict(session.execute(select(Complaint.tracking_no, Complaint.id).where(
        Complaint.is_demo.is_(True))).all())
    events, follow_ups = [], []
    for row, (moment, status, accepted_on, finished_on, asked) in zip(rows, plans):
        cid = ids[row["tracking_no"]]
        label = "投诉" if row["kind"] == COMPLAINT else "举报"
        events.append(_event(cid, moment, "submitted", f"我们已收到您的{label}。", True, True))
        if accepted_on:
            at = datetime.combine(accepted_on, time(2))
            events.append(_event(cid, at, "accepted", "已受理，正在安排处理。", True))
            events.append(_event(cid, at, "assigned", f"交办：{row['assigned_unit']}", False))
            events.append(_event(cid, at, "in_progress", "已交承办单位核查处理。", True))
        if status == REFUSED:
            events.append(_event(cid, datetime.combine(finished_on, time(3)), "refused",
                                 f"不予受理。理由：{row['refusal_reason']}。", True))
        closings = [asked[2]] if asked else []
        if status == CLOSED and finished_on not in closings:
            closings.append(finished_on)
        for n, closed_on in enumerate(closings):
            events.append(_event(cid, datetime.combine(closed_on, time(3)), "closed",
                                 f"已办结。办理结果：{row['outcome']}。\n{row['reply']}", True))
            if n == 0 and asked:
                at = datetime.combine(asked[1], time(5))
                events.append(_event(cid, at, "follow_up", f"回访：{FOLLOW_UP_LABELS[asked[0]]}。", True, True))
                if asked[0] == UNRESOLVED:
                    events.append(_event(cid, at, "reopened", "回访时反映问题没有解决，案件已重新交办理人员办理。",
                                         True, True))
        if row["rating"]:
            events.append(_event(cid, row["rated_at"], "rated", f"您的评价：{row['rating']}", True, True))
    bulk_insert(session, ComplaintEvent.__table__, events)
    bulk_insert(session, ComplaintFollowUp.__table__, [
        {"complaint_id": ids[row["tracking_no"]], "contact_id": 0, "link_key": "0" * 32,
         "created_at": datetime.combine(plan[4][1] - timedelta(days=2), time(1)), "answer": plan[4][0],
         "answer_text": None, "answered_at": datetime.combine(plan[4][1], time(5)), "is_demo": True}
        for row, plan in zip(rows, plans) if plan[4]])
    if example:
        set_meta(session, EXAMPLE_KEY, example)
    return len(rows)


def _event(complaint_id, at, kind, text, public, by_citizen=False) -> dict:
    return {"complaint_id": complaint_id, "at": at, "kind": kind, "public": public, "text": text,
            "by_citizen": by_citizen, "actor_name": None if by_citizen else "system:demo",
            "is_demo": True}
