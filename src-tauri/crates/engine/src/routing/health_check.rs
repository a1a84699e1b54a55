//! Health checks of open circuits: free calls by default, billed probes only when asked.

use std::collections::HashMap;
use std::sync::PoisonError;
use std::time::{Duration, Instant};

use switchboard_core::{ChatRequest, ProviderId};
use tokio_util::sync::CancellationToken;

use crate::Engine;
use crate::chat::RouteTag;

impl Engine {
    fn probe_log(&self) -> std::sync::MutexGuard<'_, HashMap<(ProviderId, String), Instant>> {
        self.inner
            .routing
            .probes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl crate::Routing<'_> {
    /// Checks the targets whose circuits are open, the free way: OpenRouter's key endpoint or
    /// the provider's model list, which cost nothing. Only when the user turned on active
    /// probes is a one-token completion sent instead (it is billed, and in the ledger).
    /// Returns how many targets were checked. The app calls this every few seconds; each
    /// target is checked at most once per `probe_every_s`.
    pub async fn check_open_circuits(&self) -> usize {
        let router = &self.inner.routing.router;
        let now = Instant::now();
        let open = router.probe_due(now);
        // Almost every tick finds every circuit closed.
        if open.is_empty() {
            return 0;
        }
        let health = router.health_settings();
        let every = Duration::from_secs(u64::from(health.probe_every_s.max(1)));
        let due: Vec<(ProviderId, String)> = {
            let mut last = self.probe_log();
            let due: Vec<_> = open
                .into_iter()
                .filter(|k| {
                    last.get(k)
                        .is_none_or(|at| now.duration_since(*at) >= every)
                })
                .collect();
            for k in &due {
                last.insert(k.clone(), now);
            }
            due
        };
        for (provider, model) in &due {
            let result = match self.endpoint_and_key_label(provider.clone()).await {
                Err(e) => Err(e.info().message),
                Ok((endpoint, label)) if health.active_probes => {
                    let mut request = ChatRequest::new(
                        model.clone(),
                        vec![switchboard_core::Message::text(
                            switchboard_core::Role::User,
                            "ping",
                        )],
                    );
                    request.max_tokens = Some(1);
                    let tag = RouteTag {
                        route: Some("health check".to_owned()),
                        request_id: uuid::Uuid::now_v7().to_string(),
                        attempt: 1,
                        conversation: None,
                        agent: None,
                    };
                    match self
                        .attempt(
                            provider.clone(),
                            (endpoint, label),
                            request,
                            &CancellationToken::new(),
                            None,
                            (crate::chat::LedgerSlot::new(None), Some(&tag)),
                        )
                        .await
                    {
                        Ok(out) => out.error.map_or(Ok(()), |e| Err(e.message)),
                        Err(e) => Err(e.info().message),
                    }
                }
                Ok((endpoint, _)) => switchboard_providers::check_key(&self.inner.http, &endpoint)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
            };
            let detail = result.as_ref().err().cloned().unwrap_or_default();
            tracing::info!(%provider, %model, ok = result.is_ok(), %detail, "health check");
            router.probed(provider, model, result.is_ok(), &detail, Instant::now());
        }
        due.len()
    }
}
