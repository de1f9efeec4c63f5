//! AWS partitions, as config.toml's regions and role ARNs name them: which ARN prefix, sign-in, console and STS hosts a region belongs to. The one table
//! every part that builds an AWS host name or checks an ARN reads.

/// The hosts and names of one partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// As in ARNs: `arn:{name}:iam::…`.
    pub name: &'static str,
    pub signin_host: &'static str,
    pub console_host: &'static str,
    /// The DNS suffix of regional service endpoints (`sts.{region}.{dns_suffix}`).
    pub dns_suffix: &'static str,
}

pub const AWS: Partition = Partition {
    name: "aws",
    signin_host: "signin.aws.amazon.com",
    console_host: "console.aws.amazon.com",
    dns_suffix: "amazonaws.com",
};
pub const CHINA: Partition = Partition {
    name: "aws-cn",
    signin_host: "signin.amazonaws.cn",
    console_host: "console.amazonaws.cn",
    dns_suffix: "amazonaws.com.cn",
};
pub const GOV_CLOUD: Partition = Partition {
    name: "aws-us-gov",
    signin_host: "signin.amazonaws-us-gov.com",
    console_host: "console.amazonaws-us-gov.com",
    dns_suffix: "amazonaws.com",
};
pub const ALL: [Partition; 3] = [AWS, CHINA, GOV_CLOUD];

/// The partition of a region: `cn-*` China, `us-gov-*` GovCloud, any other the commercial one.
pub fn of_region(region: &str) -> Partition {
    if region.starts_with("cn-") {
        CHINA
    } else if region.starts_with("us-gov-") {
        GOV_CLOUD
    } else {
        AWS
    }
}

/// The partition an ARN names (`arn:aws-cn:…`), if it is one of ours.
pub fn of_arn(arn: &str) -> Option<Partition> {
    let name = arn.strip_prefix("arn:")?.split(':').next()?;
    ALL.into_iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_and_arns_map_to_their_partition() {
        assert_eq!(of_region("ap-northeast-1"), AWS);
        assert_eq!(of_region("cn-northwest-1"), CHINA);
        assert_eq!(of_region("us-gov-west-1"), GOV_CLOUD);
        assert_eq!(of_arn("arn:aws-cn:iam::123456789012:role/x"), Some(CHINA));
        assert_eq!(of_arn("arn:aws-iso:iam::123456789012:role/x"), None);
        assert_eq!(of_arn("aws:iam"), None);
    }
}
