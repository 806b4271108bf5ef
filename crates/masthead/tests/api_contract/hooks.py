"""Schemathesis hooks for the API contract test (../api_contract.rs): rules between
parameters that OpenAPI cannot state, so that the requests the fuzzer takes for valid are."""

import schemathesis


@schemathesis.hook("filter_case").apply_to(operation_id="list_articles")
def page_or_before(ctx, case):
    # GET /articles takes `page` or `before`, not both: documented on both parameters and
    # answered with a 400 that says so (api_input.rs tests it). `filter_case` applies in
    # every phase, the coverage phase included.
    query = case.query or {}
    return not ("page" in query and "before" in query)
