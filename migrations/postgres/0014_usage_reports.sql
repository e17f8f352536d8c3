-- The reporting job's one read across tenants: who pays through Stripe.
CREATE FUNCTION agente_stripe_customers()
RETURNS TABLE (tenant_id TEXT, customer_id TEXT)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT tenant_id, customer_id FROM billing_accounts WHERE customer_id IS NOT NULL
$$;
REVOKE ALL ON FUNCTION agente_stripe_customers() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION agente_stripe_customers() TO agente_app;
