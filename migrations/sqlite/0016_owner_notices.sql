-- Deliveries without a rule: events an owner must hear about even when no rule wants them
-- (a failed payment, a plan limit reached) go by e-mail to the workspace's owners.
-- NULL: the rule's target; 'owners': the owners' addresses, read when it is sent.
ALTER TABLE notification_deliveries ADD COLUMN audience TEXT;
-- Such a notice is written once per event (rule deliveries are unique by (rule_id, event_id),
-- which does not hold when rule_id is NULL).
CREATE UNIQUE INDEX notification_deliveries_owner_notice
    ON notification_deliveries(tenant_id, event_id) WHERE audience IS NOT NULL;
