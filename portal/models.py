"""Imports every capability's models so Base.metadata knows all tables (for Alembic)."""
from portal.accounts.models import AuditEntry, Official, OfficialRole, Role  # noqa: F401
from portal.meta import PortalMeta  # noqa: F401
from portal.registry.models import Business, District, Jurisdiction  # noqa: F401
from portal.sampling.models import BatchReview, Disposal, FailedItem, SamplingBatch, SamplingImport  # noqa: F401
from portal.ratings.models import GradeReply, Incident, Inspection, KitchenDisplay  # noqa: F401
from portal.lists.models import ListEntry  # noqa: F401
from portal.ratelimit import RateCounter  # noqa: F401
from portal.complaints.models import (Complaint, ComplaintEvent, ComplaintFollowUp, ComplaintPhoto,  # noqa: F401
                                      ComplaintSupporter)
from portal.rounds.models import Candidate, CandidateBatch, Round, Vote, VoteFlag  # noqa: F401
from portal.verification import PhoneChallenge  # noqa: F401
from portal.workdays import HolidayDay  # noqa: F401
from portal.surveys.models import (SurveyDimensionScore, SurveyDontKnow, SurveyProfileValue,  # noqa: F401
                                   SurveyResponse, SurveyTextAnswer)
from portal.test_rooms.models import RoomBooking, TestRoom  # noqa: F401
from portal.rapid_tests.models import (RapidFollowUp, RapidMarket, RapidTest,  # noqa: F401
                                       RapidTestImport)
from portal.notices.models import (Delivery, Follow, HandlerDigest, NoticeContact, NoticeEvent,  # noqa: F401
                                   NoticeEventSubject)
