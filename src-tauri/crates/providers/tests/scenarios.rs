//! The scenarios the OpenAI-compatible and the Anthropic wire formats share, each listed once
//! with what it runs for every format: one test per (scenario, format), named
//! `scenarios::<scenario>::<format>`. A format a scenario does not apply to is a `skip` entry
//! with its reason, listed in [`SCENARIOS`] and printed by the coverage test below, so it never
//! passes silently. The bodies stay in the format's suite, next to the fixtures and helpers
//! they use; scenarios only one format has stay there as plain tests.

/// The wire formats every scenario lists, in the order the table gives them.
const FORMATS: [&str; 2] = ["openai_compat", "anthropic"];

/// How one scenario is checked for one wire format.
#[derive(Debug)]
enum Case {
    /// A test runs it: the path of its body.
    Run(&'static str),
    /// It does not apply (or is not covered), and why.
    Skip(&'static str),
}

/// One test for a (scenario, format) case, or none for a skipped one.
macro_rules! scenario_case {
    ($format:ident, run($body:path)) => {
        #[test]
        fn $format() {
            $body()
        }
    };
    ($format:ident, run_async($body:path)) => {
        #[tokio::test]
        async fn $format() {
            $body().await
        }
    };
    ($format:ident, skip($why:literal)) => {};
}

/// The table entry for a (scenario, format) case.
macro_rules! case_of {
    (run($body:path)) => {
        Case::Run(stringify!($body))
    };
    (run_async($body:path)) => {
        Case::Run(stringify!($body))
    };
    (skip($why:literal)) => {
        Case::Skip($why)
    };
}

/// Expands the table: a module of tests per scenario, and [`SCENARIOS`] listing every case.
macro_rules! scenarios {
    ($(
        $(#[doc = $doc:literal])*
        $scenario:ident {
            openai_compat: $oa_how:ident $oa:tt,
            anthropic: $an_how:ident $an:tt $(,)?
        }
    )*) => {
        $(
            $(#[doc = $doc])*
            mod $scenario {
                scenario_case!(openai_compat, $oa_how $oa);
                scenario_case!(anthropic, $an_how $an);
            }
        )*

        /// Every scenario with its case for each of [`FORMATS`], in that order.
        const SCENARIOS: &[(&str, [(&str, Case); 2])] = &[$(
            (
                stringify!($scenario),
                [
                    ("openai_compat", case_of!($oa_how $oa)),
                    ("anthropic", case_of!($an_how $an)),
                ],
            ),
        )*];
    };
}

scenarios! {
    /// A recorded plain text answer normalizes to exactly the recorded text, usage and finish.
    recorded_plain_text_stream {
        openai_compat: run(crate::openai_compat::recorded::a_plain_text_stream_says_exactly_what_was_recorded),
        anthropic: skip("The one recorded Anthropic stream thinks before it answers; its text is checked exactly by recorded_reasoning_stream."),
    }
    /// A recorded answer with reasoning normalizes to exactly the recorded reasoning and text.
    recorded_reasoning_stream {
        openai_compat: run(crate::openai_compat::recorded::a_reasoning_stream_says_exactly_what_was_recorded),
        anthropic: run_async(crate::anthropic::stream::recorded_thinking_stream_normalizes_exactly),
    }
    /// However the recorded bytes are cut into reads, the same deltas come out.
    chunking_independent {
        openai_compat: run(crate::openai_compat::recorded::every_recorded_stream_is_chunking_independent_and_matches_its_events),
        anthropic: run_async(crate::anthropic::stream::recorded_thinking_stream_at_50_random_cut_sets_is_identical),
    }
    /// Usage and cost come once, just before the finish.
    usage_before_finish {
        openai_compat: run(crate::openai_compat::synthesized::usage_on_the_finish_chunk_is_emitted_before_the_finish),
        anthropic: skip("Anthropic has no finish chunk carrying usage: message_start and message_delta usage is merged into one Usage before the Finish, which tool_calls checks exactly; Anthropic reports no cost."),
    }
    /// Tool calls streamed in fragments arrive whole, in order, with a tool-calls finish.
    tool_calls {
        openai_compat: run(crate::openai_compat::synthesized::openrouter_tool_call_deltas_are_assembled_by_index),
        anthropic: run_async(crate::anthropic::stream::tool_use_arrives_whole_from_input_json_fragments),
    }
    /// An error event mid-answer ends the stream after the text that came before it.
    mid_stream_error_keeps_text {
        openai_compat: run(crate::openai_compat::synthesized::the_observed_mid_stream_error_ends_the_stream_after_the_text_and_usage),
        anthropic: run_async(crate::anthropic::stream::overloaded_error_mid_stream_keeps_the_text_and_is_retryable),
    }
    /// A mid-answer error is classified by its code or type.
    mid_stream_error_classified {
        openai_compat: run(crate::openai_compat::synthesized::the_documented_mid_stream_error_with_a_string_code_is_an_upstream_failure),
        anthropic: run_async(crate::anthropic::stream::mid_stream_error_types_are_classified),
    }
    /// A stream cut before its end keeps what arrived and ends with a Cut error.
    cut_stream {
        openai_compat: run(crate::openai_compat::synthesized::a_stream_cut_before_the_finish_is_a_cut_error_after_the_text),
        anthropic: run_async(crate::anthropic::stream::a_cut_stream_keeps_what_arrived_and_ends_with_a_network_error),
    }
    /// A transport error mid-stream is the last item, after the text before it.
    transport_error_mid_stream {
        openai_compat: run(crate::openai_compat::synthesized::a_transport_error_mid_stream_keeps_what_came_before),
        anthropic: run_async(crate::anthropic::stream::a_transport_error_mid_stream_keeps_what_came_before),
    }
    /// An event that is not JSON is a Decode error keeping the raw data, after what came before.
    garbage_event {
        openai_compat: run(crate::openai_compat::synthesized::a_garbage_event_is_a_decode_error_that_keeps_the_raw_text),
        anthropic: run_async(crate::anthropic::stream::bad_data_is_a_decode_error_after_what_came_before),
    }
    /// A recorded error body is a BadRequest with the provider's message.
    recorded_error_body {
        openai_compat: run(crate::openai_compat::recorded::every_recorded_error_classifies_as_a_bad_request),
        anthropic: run(crate::anthropic::body::recorded_400_is_bad_request_with_anthropics_message),
    }
    /// An HTTP error status before the stream is the only item.
    http_error_before_stream {
        openai_compat: run_async(crate::openai_compat::loopback::a_429_before_the_stream_is_the_only_item),
        anthropic: run_async(crate::anthropic::loopback::overloaded_529_before_the_stream_is_the_only_item_and_retryable),
    }
    /// A non-streamed answer over loopback HTTP replays its body as deltas.
    non_streamed_body {
        openai_compat: run_async(crate::openai_compat::loopback::a_non_streamed_answer_replays_the_body),
        anthropic: run_async(crate::anthropic::loopback::non_streaming_chat_replays_the_body_as_deltas),
    }
    /// The key goes in the format's own header, and nothing else carries it.
    auth_headers {
        openai_compat: run_async(crate::openai_compat::loopback::openai_gets_a_bearer_key_and_no_attribution),
        anthropic: run_async(crate::anthropic::loopback::chat_streams_with_anthropic_headers_and_no_bearer),
    }
    /// Images in a request are sent in the format's shape.
    request_images {
        openai_compat: run(crate::openai_compat::request::images_tool_calls_and_tool_results_are_shaped_like_openai),
        anthropic: run(crate::anthropic::request::images_become_base64_or_url_sources),
    }
    /// Tool choice and a schema are sent in the format's shape.
    request_tool_choice {
        openai_compat: run(crate::openai_compat::request::tool_choice_and_response_format_are_sent_in_openai_shape),
        anthropic: run(crate::anthropic::request::tool_choice_and_a_schema_are_sent_in_anthropic_shape),
    }
}

/// Every scenario names a case for every format, runs for at least one (else it is not shared),
/// and gives each skip a reason; the skips are printed so a run's log shows them.
#[test]
fn every_scenario_is_run_or_skipped_with_a_reason_for_every_format() {
    let mut skipped = Vec::new();
    for (scenario, cases) in SCENARIOS {
        let formats: Vec<&str> = cases.iter().map(|(format, _)| *format).collect();
        assert_eq!(formats, FORMATS, "{scenario}: one case per format");
        assert!(
            cases.iter().any(|(_, case)| matches!(case, Case::Run(_))),
            "{scenario}: a shared scenario runs for at least one format"
        );
        for (format, case) in cases {
            match case {
                Case::Run(body) => assert!(!body.is_empty(), "{scenario}/{format}: a body"),
                Case::Skip(why) => {
                    assert!(
                        why.ends_with('.') && why.len() > 40,
                        "{scenario}/{format}: a skip says why in a sentence, got {why:?}"
                    );
                    skipped.push(format!("{scenario}/{format}: {why}"));
                }
            }
        }
    }
    eprintln!("Skipped scenario cases:\n{}", skipped.join("\n"));
    assert_eq!(
        skipped.len(),
        2,
        "the skips listed in this file's table: {skipped:#?}"
    );
}
