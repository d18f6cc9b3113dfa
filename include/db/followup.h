/*
 * followup (db): e-mail intake records, the outbox, follow-ups, contact attempts and feedback
 * (issue 3; tables of migrations/0011_followup.sql).  Every function may block on the database
 * and returns DB_ONE, DB_NONE, DB_RETRY or DB_FAIL, filling err whenever the answer is not
 * DB_ONE.  Functions that write run one transaction of their own and roll back on any failure.
 */
#ifndef DB_FOLLOWUP_H
#define DB_FOLLOWUP_H

#include <jansson.h>
#include <stdint.h>

#include "db/db.h"

/* The stored answer to an e-mail delivered before under key (its Message-ID): DB_ONE with
 * *status and *response (JSON text from the arena), DB_NONE when it is new. */
enum db_result db_mail_intake_get(struct db *db, const char *key, struct arena *a, int *status,
                                  char **response, struct err *err);

/* A reply e-mail to put into the outbox with the intake's answer. */
struct mail_reply {
    const char *to;
    const char *subject;
    const char *in_reply_to; /* "<message-id>" of the customer's message, or NULL */
};

/*
 * The case of a complete e-mail intake, in one transaction: the intake record under key, the
 * case and its "case_created" event (as db_case_create), and the acknowledgement (body from
 * core's mailform_reply_ack) in the outbox (none when reply is NULL: a machine sent it).  DB_ONE
 * with *case_number (arena); DB_NONE when key was recorded meanwhile by another delivery (read it
 * with db_mail_intake_get); DB_FAIL with ERR_INVALID "product_model" for a model not in the
 * catalog.
 */
enum db_result db_mail_intake_case(struct db *db, const char *key, const struct intake *in,
                                   const char *configuration, const char *error_messages,
                                   const struct mail_reply *reply, const char *subject,
                                   const struct principal *actor, struct arena *a,
                                   char **case_number, struct err *err);

/*
 * An e-mail intake refused for its content (422): the record under key with the answer
 * (response, JSON text) and the fields read so far (fields, JSON text, for a reply in its
 * thread; may be NULL), and the reply (body) in the outbox (none when reply is NULL); no case.
 * DB_NONE when key was recorded meanwhile.
 */
enum db_result db_mail_intake_refuse(struct db *db, const char *key, const char *response,
                                     const char *fields, const struct mail_reply *reply,
                                     const char *body, const struct principal *actor,
                                     struct err *err);

/*
 * The fields (JSON text, arena) of the latest incomplete intake whose missing-fields reply has
 * one of message_ids (a JSON list of "<id>" strings: the In-Reply-To and References of a
 * customer's message) and went to from_addr.  DB_NONE when the message answers none of ours.
 */
enum db_result db_mail_intake_thread(struct db *db, const char *message_ids, const char *from_addr,
                                     struct arena *a, char **fields, struct err *err);

/* ---- follow-up ---- */

struct follow_up_request {
    const char *summary;
    const char *channel; /* "email" or "phone" */
    int due_in_days;     /* 1..30 */
};

/*
 * Completes the work of a case (resolved_remotely, onsite_planned, rma_requested with every RMA
 * complete or closed, factory_escalated) and opens its follow-up: two moves (complete,
 * follow_up: one event each), the follow_up row, and for e-mail the message to the case's
 * contact in the outbox.  DB_ONE with *out (the follow-up as db_follow_up_get shows it);
 * DB_NONE (ERR_NOT_FOUND case_number); DB_FAIL with ERR_CONFLICT "status" (wrong state) or
 * "rma" (an RMA still open), ERR_INVALID "follow_up.channel" (e-mail without a contact
 * address).
 */
enum db_result db_case_complete(struct db *db, const char *case_number,
                                const struct follow_up_request *r, const struct principal *actor,
                                json_t **out, struct err *err);

/* A contact attempt (channel email|phone, outcome reached|no_answer) on the open follow-up.
 * DB_FAIL with ERR_CONFLICT "status" when the case has no open follow-up. */
enum db_result db_follow_up_attempt(struct db *db, const char *case_number, const char *channel,
                                    const char *outcome, const char *note,
                                    const struct principal *actor, json_t **out, struct err *err);

/* Records the customer's feedback (rating 1..5, comment may be NULL) and closes the case
 * (follow_up -> closed, one event).  ERR_CONFLICT "status" without an open follow-up. */
enum db_result db_follow_up_feedback(struct db *db, const char *case_number, int rating,
                                     const char *comment, const struct principal *actor,
                                     json_t **out, struct err *err);

/* Closes the case without feedback: only when the follow-up is due (ERR_CONFLICT "due_at")
 * and at least one attempt was made (a phone/e-mail attempt, or the follow-up e-mail sent:
 * ERR_CONFLICT "attempts"). */
enum db_result db_follow_up_close(struct db *db, const char *case_number, const char *reason,
                                  const struct principal *actor, json_t **out, struct err *err);

/* The follow-up of a case with its attempts, the e-mail's delivery and the feedback (new
 * reference).  DB_NONE with ERR_NOT_FOUND "case_number" or "follow_up". */
enum db_result db_follow_up_get(struct db *db, const char *case_number, json_t **out,
                                struct err *err);

/* ---- outbox (the sender thread, src/http/outbox.c) ---- */

struct outbox_msg {
    int64_t id;
    int attempts; /* including this one */
    char *to;
    char *subject;
    char *body;
    char *message_id;
    char *in_reply_to; /* NULL when none */
};

/*
 * Claims the oldest message that is due (queued and past its back-off, or "sending" under a
 * lease that expired: its sender died) for claimer, for lease_s seconds, and COMMITs the
 * claim (one autocommitted UPDATE ... FOR UPDATE SKIP LOCKED, so concurrent senders never
 * take the same row).  DB_ONE with *m (strings from the arena), DB_NONE when nothing is due.
 */
enum db_result db_outbox_claim(struct db *db, const char *claimer, int lease_s, struct arena *a,
                               struct outbox_msg *m, struct err *err);
/* Right before sending: DB_ONE when claimer still holds message id under a lease that has not
 * run out (renewed for lease_s seconds), DB_NONE when not (do not send: another sender may).
 * A follow-up e-mail whose follow-up is closed is cancelled instead: DB_ONE with *cancelled
 * (do not send it). */
enum db_result db_outbox_hold(struct db *db, int64_t id, const char *claimer, int lease_s,
                              bool *cancelled, struct err *err);
/* Marks message id sent (whoever holds the claim now: it was accepted, so nobody may send it
 * again).  DB_NONE when it was already marked. */
enum db_result db_outbox_sent(struct db *db, int64_t id, struct err *err);
/* Gives the claim back after a failed attempt: queued again after backoff_s seconds, or failed
 * for good when permanent; last_error says why.  DB_NONE when claimer no longer holds it. */
enum db_result db_outbox_retry(struct db *db, int64_t id, const char *claimer, int backoff_s,
                               bool permanent, const char *last_error, struct err *err);

#endif
