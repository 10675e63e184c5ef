"""Credential detection for environment variables (batchlint.secrets_detect)."""

from __future__ import annotations

import pytest

from batchlint.secrets_detect import detect, is_configuration, secret_name, words

# Credential-shaped test values, built so no scanner mistakes this file for a leak.
AWS_KEY_ID = "AKIA" + "IOSFODNN7EXAMPLE"
AWS_TEMP_KEY_ID = "ASIA" + "Y34FZKBOKMUTVV7A"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"
GITHUB = "ghp_" + "a" * 20 + "B" * 16
GITHUB_PAT = "github_pat_" + "11ABCDEFG0" + "x" * 40
SLACK = "xoxb-" + "123456789012-1234567890123-" + "AbCdEfGhIjKlMnOpQrStUvWx"
STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
GOOGLE = "AIza" + "SyA-1234567890abcdefghijklmnopqrstu"
JWT = (
    "eyJhbGciOiJIUzI1NiJ9"
    + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0"
    + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)
PEM = "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("name", "value", "kind"),
    [
        # known formats, whatever the name
        ("AWS_ACCESS_KEY_ID", AWS_KEY_ID, "an AWS access key ID"),
        ("CONFIG", f"key={AWS_KEY_ID}", "an AWS access key ID"),
        ("SESSION", AWS_TEMP_KEY_ID, "an AWS access key ID"),
        ("AWS_SECRET_ACCESS_KEY", AWS_SECRET, "an AWS secret access key"),
        ("SECRET_ACCESS_KEY", AWS_SECRET, "an AWS secret access key"),
        ("GH", GITHUB, "a GitHub token"),
        ("GH", GITHUB_PAT, "a GitHub token"),
        ("NOTIFY", SLACK, "a Slack token"),
        ("BILLING", STRIPE, "a Stripe live key"),
        ("MAPS", GOOGLE, "a Google API key"),
        ("SESSION_BLOB", JWT, "a JSON Web Token"),
        ("TLS", PEM, "a private key"),
        ("SSH", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn...", "a private key"),
        (
            "DATABASE_URL",
            "postgres://app:S3cr3t!@db.internal:5432/app",
            "a URL with an embedded password",
        ),
        ("BROKER", "amqp://guest:guest@rabbit:5672/", "a URL with an embedded password"),
        ("JDBC_URL", "jdbc:postgresql://app:pw12@db/app", "a URL with an embedded password"),
        (
            "DSN",
            "Server=db;Database=app;User Id=app;Password=p4ssW0rd;",
            "a connection string with an embedded password",
        ),
        (
            "ENDPOINT",
            "https://api.example.com/v1?user=a&password=hunter22",
            "a connection string with an embedded password",
        ),
        # secret-looking names with literal values
        ("DB_PASSWORD", "hunter2", "a password"),
        ("DB_PASSWORD", "postgres", "a password"),  # a plain word IS the password
        ("PGPASSWORD", "Tr0ub4dor&3", "a password"),
        ("dbPassword", "Xy9!", "a password"),
        ("db-password", "correct horse battery staple", "a password"),
        ("MYSQL_ROOT_PASSWORD", "123456", "a password"),
        ("SMTP_PASS", "Mailpass1", "a password"),
        ("LDAP_PASSWD", "s3cr3t", "a password"),
        ("REDIS_PWD", "abc123XYZ", "a password"),
        ("KEY_PASSPHRASE", "open sesame 42", "a passphrase"),
        ("CLIENT_SECRET", "f3a9c1d2e4b5", "a secret"),
        ("SECRET", "N0tS0S3cret", "a secret"),
        ("GITHUB_TOKEN", "abc123def456", "a token"),
        ("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEBYaDH", "a token"),
        ("authToken", "tok-9f8e7d6c", "a token"),
        ("API_KEY", "ab12cd34ef", "an API key"),
        ("apiKey", "9a8b7c6d5e4f", "an API key"),
        ("X_API_KEY", "Zz123", "an API key"),
        ("APIKEY", "live-123-abc", "an API key"),
        ("DJANGO_SECRET_KEY", "django-insecure-7$x!q", "a secret key"),
        ("ENCRYPTION_KEY", "0123456789abcdef0123456789abcdef", "an encryption key"),
        ("PRIVATE_KEY", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "a private key"),
        ("SERVICE_CREDENTIALS", '{"user": "a", "pass": "b"}', "a credential"),
        ("BASIC_AUTH", "admin:admin123", "an authentication secret"),
        ("AUTHORIZATION", "Bearer abc.def-123", "an authentication secret"),
        ("DB_PASSWORD_2", "S3cond!", "a password"),
        ("MYAPPTOKEN", "Xyz-123", "a token"),
    ],
)
def test_credentials(name: str, value: str, kind: str) -> None:
    found = detect(name, value)
    assert found is not None, (name, value)
    assert found.kind == kind


@pytest.mark.parametrize(
    ("name", "value"),
    [
        # configuration names: the secret word is not last
        ("TOKEN_URL", "https://auth.example.com/oauth2/token"),
        ("SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"),
        ("PASSWORD_FILE", "/run/secrets/db"),
        ("KEY_PREFIX", "uploads/2024/"),
        ("AUTH_TYPE", "Bearer-Token-v2"),
        ("SECRET_NAME", "prod/db/credentials"),
        ("TOKEN_ENDPOINT", "Https-Endpoint-1"),
        ("PASSWORD_MIN_LENGTH", "12"),
        ("AWS_ACCESS_KEY_ID_PARAM", "Some-Param-9"),
        ("S3_KEY", "data/input.csv"),
        ("PARTITION_KEY", "customerId42"),
        ("CACHE_KEY", "v2-Abc"),
        ("KEY", "Xy9-abc"),
        ("TOKENIZERS_PARALLELISM", "false"),
        ("BYPASS", "Yes-1"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/root/.aws/credentials"),
        ("AWS_REGION", "us-east-1"),
        ("PGHOST", "db.internal.example.com"),
        ("JAVA_OPTS", "-Xmx4g -XX:+UseG1GC"),
        # secret names with configuration values
        ("DB_PASSWORD", ""),
        ("DB_PASSWORD", "   "),
        ("DB_PASSWORD", "${DB_PASSWORD}"),
        ("DB_PASSWORD", "$DB_PASSWORD"),
        ("DB_PASSWORD", "{{resolve:secretsmanager:prod/db:SecretString:password}}"),
        ("DB_PASSWORD", "{{resolve:ssm-secure:/prod/db/password:1}}"),
        ("DB_PASSWORD", "<your password>"),
        ("DB_PASSWORD", "changeme"),
        ("DB_PASSWORD", "CHANGE_ME"),
        ("DB_PASSWORD", "REPLACE_WITH_REAL_PASSWORD"),
        ("DB_PASSWORD", "xxxxxxxx"),
        ("DB_PASSWORD", "********"),
        ("DB_PASSWORD", "your-password-here"),
        ("DB_PASSWORD", "none"),
        ("DB_PASSWORD", "null"),
        ("DB_PASSWORD", "/prod/db/password"),
        ("DB_PASSWORD", "prod/db/password"),
        ("DB_PASSWORD", "arn:aws:ssm:us-east-1:123456789012:parameter/prod/db"),
        ("DB_PASSWORD", "ssm:/prod/db/password"),
        ("DB_PASSWORD", "Ref::password"),
        ("DB_PASSWORD", "%(password)s"),
        ("USE_SECRETS", "true"),
        ("SECRET", "False"),
        ("TOKEN", "1"),
        ("AUTH", "none"),
        ("AUTH", "basic"),
        ("AUTH", "IAM"),
        ("AUTH", "oauth2"),
        ("AUTH_MODE", "AWS_IAM"),
        ("MAX_TOKENS", "4096"),
        ("TOKEN_TTL", "3600"),
        ("SECRET", "42"),
        ("TOKEN", "auto"),
        ("CREDENTIALS", "default"),
        ("API_KEY", "https://keys.example.com/api"),
        ("DATABASE_URL", "postgres://db.internal:5432/app"),
        ("DATABASE_URL", "postgres://app:${DB_PASSWORD}@db.internal:5432/app"),
        ("DATABASE_URL", "postgres://app@db.internal:5432/app"),
        ("PWD", "/app"),
        ("GOOGLE_APPLICATION_CREDENTIALS", "/var/secrets/google/key.json"),
        # not a credential format
        ("IMAGE_ID", "ami-0123456789abcdef0"),
        ("NOTE", "AKIA is the prefix of access keys"),
        ("REGION_NAME", "ASIAPACIFICSOUTHEAST1"),
        ("JWT_ISSUER", "https://issuer.example.com"),
    ],
)
def test_configuration(name: str, value: str) -> None:
    assert detect(name, value) is None, (name, value)


def test_words() -> None:
    assert words("dbPassword") == ["db", "password"]
    assert words("DBPassword") == ["db", "password"]
    assert words("DB_PASSWORD") == ["db", "password"]
    assert words("x-api-key") == ["x", "api", "key"]
    assert words("APIKey") == ["api", "key"]


def test_secret_names() -> None:
    assert secret_name("GITHUB_TOKEN") == "a token"
    assert secret_name("TOKEN_URL") is None
    assert secret_name("KEY") is None
    assert secret_name("SIGNING_KEY") == "a signing key"
    assert secret_name("") is None
    assert secret_name("___") is None


def test_is_configuration() -> None:
    assert is_configuration("12") and not is_configuration("12", password=True)
    assert is_configuration("basic") and not is_configuration("basic", password=True)
    assert is_configuration("true", password=True)


def test_detect_never_returns_the_value() -> None:
    found = detect("DB_PASSWORD", "Tr0ub4dor&3")
    assert found is not None
    assert "Tr0ub4dor" not in repr(found)
