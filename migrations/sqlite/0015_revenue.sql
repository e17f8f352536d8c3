-- When a subscription ended (for churn in the operator's revenue report).
ALTER TABLE billing_accounts ADD COLUMN canceled_at BIGINT;
