-- When a subscription ended (for churn in the operator's revenue report).
ALTER TABLE billing_accounts ADD COLUMN canceled_at BIGINT;

-- The revenue report's reads across tenants (operators only, checked by the application).
CREATE FUNCTION agente_billing_accounts()
RETURNS TABLE (tenant_id TEXT, plan_id TEXT, status TEXT, provider TEXT, canceled_at BIGINT)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT tenant_id, plan_id, status, provider, canceled_at FROM billing_accounts
$$;
CREATE FUNCTION agente_usage_totals(p_start BIGINT, p_end BIGINT)
RETURNS TABLE (tenant_id TEXT, meter TEXT, used BIGINT)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT tenant_id, meter, CAST(SUM(quantity) AS BIGINT) FROM usage_events
    WHERE occurred_at >= p_start AND occurred_at < p_end GROUP BY tenant_id, meter
$$;
REVOKE ALL ON FUNCTION agente_billing_accounts() FROM PUBLIC;
REVOKE ALL ON FUNCTION agente_usage_totals(BIGINT, BIGINT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agente_billing_accounts(), agente_usage_totals(BIGINT, BIGINT) TO agente_app;
