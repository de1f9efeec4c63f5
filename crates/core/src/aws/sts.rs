//! STS through aws-sdk-sts, at the profile's regional endpoint or its override: AssumeRoleWithWebIdentity
//! (unsigned: an ID token for role credentials) and AssumeRole for role chaining (signed with the
//! source profile's credentials).

use std::time::Duration;

use aws_sdk_sts::config::retry::RetryConfig;
use aws_sdk_sts::config::timeout::TimeoutConfig;
use aws_sdk_sts::config::{BehaviorVersion, Region};
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use time::OffsetDateTime;

use crate::aws::credentials::Credentials;
use crate::config::Profile;
use crate::sys::sanitize;
use crate::sys::secret::Secret;

/// How often an IDPCommunicationError (AWS could not reach the IdP: usually transient) is retried.
pub const IDP_COMMUNICATION_ATTEMPTS: u32 = 3;
const IDP_COMMUNICATION_BACKOFF: Duration = Duration::from_millis(300);

#[derive(Debug, thiserror::Error)]
pub enum StsError {
    /// AWS answered with an error code (InvalidIdentityToken, AccessDenied, ...).
    #[error("AWS STS refused {action} for {role_arn}: {code}: {message} (HTTP {status})")]
    Refused { action: &'static str, role_arn: String, code: String, message: String, status: u16 },
    #[error("cannot reach AWS STS at {endpoint}")]
    Unreachable { endpoint: String, source: Box<dyn std::error::Error + Send + Sync> },
    #[error("AWS STS at {endpoint} did not answer within {seconds} s")]
    TimedOut { endpoint: String, seconds: u64 },
    /// STS (or what answers at the endpoint) sent something that is not an STS answer.
    #[error("AWS STS at {endpoint} gave an unusable answer: {detail}")]
    BadAnswer { endpoint: String, detail: String, status: Option<u16> },
    #[error("AWS STS returned no credentials for {role_arn}")]
    Empty { role_arn: String },
}

impl StsError {
    /// The AWS error code, when AWS gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Refused { code, .. } => Some(code),
            _ => None,
        }
    }

    /// A newer ID token may succeed where this one failed.
    pub fn wants_fresh_token(&self) -> bool {
        matches!(
            self.code(),
            Some("ExpiredTokenException" | "ExpiredToken" | "InvalidIdentityToken" | "InvalidIdentityTokenException")
        )
    }

    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::TimedOut { .. })
            || matches!(self.code(), Some("IDPCommunicationError"))
            || matches!(self, Self::Refused { status, .. } | Self::BadAnswer { status: Some(status), .. } if *status >= 500)
    }
}

/// Role credentials and who they belong to.
#[derive(Debug, Clone)]
pub struct AssumedRole {
    pub credentials: Credentials,
    pub assumed_role_arn: Option<String>,
}

/// The STS endpoint used for a profile (for messages): the override, or the regional one.
pub fn endpoint_of(profile: &Profile) -> String {
    profile.sts_endpoint.clone().unwrap_or_else(|| {
        let suffix = crate::config::partition::of_region(&profile.region).dns_suffix;
        format!("https://sts.{}.{suffix}", profile.region)
    })
}

/// The STS client of a profile: its region or endpoint, bounded time, few retries; `credentials` signs
/// the calls (AssumeRole), none for the unsigned AssumeRoleWithWebIdentity.
fn client(profile: &Profile, timeout: Duration, credentials: Option<&Credentials>) -> aws_sdk_sts::Client {
    let mut builder = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(profile.region.clone()))
        .retry_config(RetryConfig::standard().with_max_attempts(2))
        .interceptor(crate::aws::sts_cap::BodyCap)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(timeout.min(Duration::from_secs(3)))
                .operation_timeout(timeout)
                .build(),
        );
    if let Some(endpoint) = &profile.sts_endpoint {
        builder = builder.endpoint_url(endpoint);
    }
    if let Some(c) = credentials {
        builder = builder.credentials_provider(aws_sdk_sts::config::Credentials::new(
            c.access_key_id.clone(),
            c.secret_access_key.expose(),
            Some(c.session_token.expose().to_string()),
            None,
            "idbridge-source-profile",
        ));
    }
    aws_sdk_sts::Client::from_conf(builder.build())
}

pub async fn assume_role_with_web_identity(
    profile: &Profile,
    id_token: &Secret,
    session_name: &str,
    timeout: Duration,
) -> Result<AssumedRole, StsError> {
    let client = client(profile, timeout, None);
    // the retries below sleep: bound the whole exchange, not only each attempt
    tokio::time::timeout(timeout, attempts(&client, profile, id_token, session_name, timeout))
        .await
        .map_err(|_| StsError::TimedOut { endpoint: endpoint_of(profile), seconds: timeout.as_secs() })?
}

async fn attempts(
    client: &aws_sdk_sts::Client,
    profile: &Profile,
    id_token: &Secret,
    session_name: &str,
    timeout: Duration,
) -> Result<AssumedRole, StsError> {
    let mut attempt = 1;
    loop {
        let result = client
            .assume_role_with_web_identity()
            .role_arn(&profile.role_arn)
            .role_session_name(session_name)
            .web_identity_token(id_token.expose())
            .duration_seconds(profile.duration_seconds as i32)
            .send()
            .await;
        match result {
            Ok(out) => return convert(profile, out.credentials, out.assumed_role_user),
            Err(e) => {
                let err = map_error(profile, "AssumeRoleWithWebIdentity", e, timeout);
                if err.code() == Some("IDPCommunicationError") && attempt < IDP_COMMUNICATION_ATTEMPTS {
                    tokio::time::sleep(IDP_COMMUNICATION_BACKOFF * 2u32.pow(attempt - 1)).await;
                    attempt += 1;
                    continue;
                }
                return Err(err);
            }
        }
    }
}

/// Role chaining: sts:AssumeRole signed with the source profile's role credentials. AWS caps the
/// session at one hour (config validation keeps `duration_seconds` within that).
pub async fn assume_role(
    profile: &Profile,
    source: &Credentials,
    session_name: &str,
    timeout: Duration,
) -> Result<AssumedRole, StsError> {
    let request = client(profile, timeout, Some(source))
        .assume_role()
        .role_arn(&profile.role_arn)
        .role_session_name(session_name)
        .set_external_id(profile.external_id.clone())
        .duration_seconds(profile.duration_seconds as i32)
        .send();
    let out = tokio::time::timeout(timeout, request)
        .await
        .map_err(|_| StsError::TimedOut { endpoint: endpoint_of(profile), seconds: timeout.as_secs() })?
        .map_err(|e| map_error(profile, "AssumeRole", e, timeout))?;
    convert(profile, out.credentials, out.assumed_role_user)
}

fn convert(
    profile: &Profile,
    credentials: Option<aws_sdk_sts::types::Credentials>,
    user: Option<aws_sdk_sts::types::AssumedRoleUser>,
) -> Result<AssumedRole, StsError> {
    let empty = || StsError::Empty { role_arn: profile.role_arn.clone() };
    let c = credentials.ok_or_else(empty)?;
    let expiration = OffsetDateTime::from_unix_timestamp(c.expiration.secs()).map_err(|_| empty())?;
    Ok(AssumedRole {
        credentials: Credentials {
            access_key_id: c.access_key_id,
            secret_access_key: Secret::new(c.secret_access_key),
            session_token: Secret::new(c.session_token),
            expiration,
        },
        assumed_role_arn: user.map(|u| u.arn),
    })
}

fn map_error<E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static>(
    profile: &Profile,
    action: &'static str,
    e: SdkError<E, aws_smithy_runtime_api::http::Response>,
    timeout: Duration,
) -> StsError {
    match &e {
        // no AWS error code: the answer was not an STS error document (an HTML error page, garbage)
        SdkError::ServiceError(se) if se.err().code().is_none() => {
            let status = se.raw().status().as_u16();
            let content_type = se.raw().headers().get("content-type").unwrap_or("no content type");
            StsError::BadAnswer {
                endpoint: sanitize::field(&endpoint_of(profile)),
                detail: format!("HTTP {status} ({}) that is not an STS answer", sanitize::field(content_type)),
                status: Some(status),
            }
        }
        SdkError::ServiceError(se) => StsError::Refused {
            action,
            role_arn: profile.role_arn.clone(),
            code: sanitize::field(se.err().code().unwrap_or("Unknown")),
            message: sanitize::field(se.err().message().unwrap_or("(no message)")),
            status: se.raw().status().as_u16(),
        },
        // the SDK's own operation timeout: say it as plainly as ours
        SdkError::TimeoutError(_) => {
            StsError::TimedOut { endpoint: endpoint_of(profile), seconds: timeout.as_secs().max(1) }
        }
        // an answer that is not STS's (garbage, or cut off at the size cap): not a network failure
        SdkError::ResponseError(_) => StsError::BadAnswer {
            endpoint: sanitize::field(&endpoint_of(profile)),
            detail: sanitize::field(&crate::sys::sanitize::one_line(&e)),
            status: None,
        },
        _ if crate::sys::sanitize::one_line(&e).contains(crate::aws::sts_cap::TOO_LARGE) => StsError::BadAnswer {
            endpoint: sanitize::field(&endpoint_of(profile)),
            detail: crate::aws::sts_cap::TOO_LARGE.to_string(),
            status: None,
        },
        _ => StsError::Unreachable { endpoint: endpoint_of(profile), source: Box::new(e) },
    }
}
