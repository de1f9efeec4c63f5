//! STS AssumeRoleWithWebIdentity through aws-sdk-sts: an unsigned call (no AWS credentials needed) to
//! the profile's regional endpoint or its override, trading an ID token for role credentials.

use std::time::Duration;

use aws_sdk_sts::config::retry::RetryConfig;
use aws_sdk_sts::config::timeout::TimeoutConfig;
use aws_sdk_sts::config::{BehaviorVersion, Region};
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use time::OffsetDateTime;

use crate::config::Profile;
use crate::credentials::Credentials;
use crate::secret::Secret;

/// How often an IDPCommunicationError (AWS could not reach the IdP: usually transient) is retried.
pub const IDP_COMMUNICATION_ATTEMPTS: u32 = 3;
const IDP_COMMUNICATION_BACKOFF: Duration = Duration::from_millis(300);

#[derive(Debug, thiserror::Error)]
pub enum StsError {
    /// AWS answered with an error code (InvalidIdentityToken, AccessDenied, ...).
    #[error("AWS STS refused AssumeRoleWithWebIdentity for {role_arn}: {code}: {message}")]
    Refused { role_arn: String, code: String, message: String },
    #[error("cannot reach AWS STS at {endpoint}")]
    Unreachable { endpoint: String, source: Box<dyn std::error::Error + Send + Sync> },
    #[error("AWS STS at {endpoint} did not answer within {seconds} s")]
    TimedOut { endpoint: String, seconds: u64 },
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
        matches!(self.code(), Some("ExpiredTokenException" | "ExpiredToken" | "InvalidIdentityToken" | "InvalidIdentityTokenException"))
    }

    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::TimedOut { .. }) || matches!(self.code(), Some("IDPCommunicationError"))
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
        let suffix = if profile.region.starts_with("cn-") { "amazonaws.com.cn" } else { "amazonaws.com" };
        format!("https://sts.{}.{suffix}", profile.region)
    })
}

pub async fn assume_role_with_web_identity(
    profile: &Profile,
    id_token: &Secret,
    session_name: &str,
    timeout: Duration,
) -> Result<AssumedRole, StsError> {
    let mut builder = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(profile.region.clone()))
        .retry_config(RetryConfig::standard().with_max_attempts(2))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(timeout.min(Duration::from_secs(3)))
                .operation_timeout(timeout)
                .build(),
        );
    if let Some(endpoint) = &profile.sts_endpoint {
        builder = builder.endpoint_url(endpoint);
    }
    let client = aws_sdk_sts::Client::from_conf(builder.build());
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
            Ok(out) => return convert(profile, out),
            Err(e) => {
                let err = map_error(profile, e, timeout);
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

fn convert(
    profile: &Profile,
    out: aws_sdk_sts::operation::assume_role_with_web_identity::AssumeRoleWithWebIdentityOutput,
) -> Result<AssumedRole, StsError> {
    let empty = || StsError::Empty { role_arn: profile.role_arn.clone() };
    let c = out.credentials.ok_or_else(empty)?;
    let expiration = OffsetDateTime::from_unix_timestamp(c.expiration.secs()).map_err(|_| empty())?;
    Ok(AssumedRole {
        credentials: Credentials {
            access_key_id: c.access_key_id,
            secret_access_key: Secret::new(c.secret_access_key),
            session_token: Secret::new(c.session_token),
            expiration,
        },
        assumed_role_arn: out.assumed_role_user.map(|u| u.arn),
    })
}

fn map_error<E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static, R: std::fmt::Debug + Send + Sync + 'static>(
    profile: &Profile,
    e: SdkError<E, R>,
    timeout: Duration,
) -> StsError {
    match &e {
        SdkError::ServiceError(se) => StsError::Refused {
            role_arn: profile.role_arn.clone(),
            code: se.err().code().unwrap_or("Unknown").to_string(),
            message: se.err().message().unwrap_or("(no message)").to_string(),
        },
        // the SDK's own operation timeout: say it as plainly as ours
        SdkError::TimeoutError(_) => StsError::TimedOut { endpoint: endpoint_of(profile), seconds: timeout.as_secs().max(1) },
        _ => StsError::Unreachable { endpoint: endpoint_of(profile), source: Box::new(e) },
    }
}
