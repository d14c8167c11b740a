//! Command-line interface definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "kubevet",
    version,
    about = "A fast Kubernetes manifest linter and validator with exact-span diagnostics",
    after_help = "Exit codes: 0 no findings at or above --fail-on, 1 findings, 2 usage or internal error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check manifests: files, directories (walked recursively) or `-` for stdin.
    Check(Box<CheckArgs>),
    /// List every rule: id, default severity, category and summary.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Print a rule's documentation page.
    Explain {
        /// The rule id, such as `selector-template-mismatch`.
        rule: String,
    },
    /// Print the version and the bundled Kubernetes schema versions.
    Version,
    /// Run as a language server (LSP over stdin/stdout) for editors: open buffers are checked
    /// as they change, fixes are offered as quick fixes.
    Server,
    /// Configuration files: their schema, and the settings that apply to a file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script (e.g. `kubevet completions bash > /etc/bash_completion.d/kubevet`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page in roff: kubevet(1), or a subcommand's (`kubevet man check | man -l -`).
    Man {
        /// A subcommand, such as `check`.
        subcommand: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the JSON Schema of `.kubevet.yaml`.
    Schema,
    /// Print the settings that apply to PATH (a file or directory) and where they come from.
    Show {
        path: PathBuf,
        /// Use this configuration file instead of the nearest `.kubevet.yaml`.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check; `-` reads standard input. Defaults to `.`.
    pub paths: Vec<PathBuf>,

    /// Output format. Given twice, the last wins (so pre-commit `args:` can override a hook's).
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Human, overrides_with = "format")]
    pub format: OutputFormat,

    /// Write the report in `--format` to FILE; the human report still goes to the terminal.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The file name standard input (`-`) is reported under, and looked up in configuration
    /// by.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,

    /// When to use colours in human output (never when NO_COLOR is set).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Lowest severity that makes kubevet exit with 1 [default: error].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Files larger than this many bytes are reported and skipped.
    #[arg(long, default_value_t = kubevet::DEFAULT_MAX_FILE_SIZE, value_name = "BYTES")]
    pub max_file_size: u64,

    /// Namespace of objects that do not set `metadata.namespace` [default: default].
    #[arg(long, short = 'n')]
    pub namespace: Option<String>,

    /// The cluster's Service node port range, as `MIN-MAX` [default: 30000-32767].
    #[arg(long, value_parser = parse_range)]
    pub node_port_range: Option<(i64, i64)>,

    /// Kubernetes version to validate against, as `MAJOR.MINOR` (default: newest bundled).
    #[arg(long, value_name = "X.Y")]
    pub kubernetes_version: Option<String>,

    /// CustomResourceDefinition files or directories to validate custom resources against.
    #[arg(long, value_name = "PATH")]
    pub crd: Vec<PathBuf>,

    /// Report objects whose kind has no schema (and no CRD) as errors instead of notes.
    #[arg(long)]
    pub strict_kinds: bool,

    /// Do not report on objects of these kinds (comma-separated `Kind` or `apiVersion/Kind`,
    /// such as `Secret,apps/v1/Deployment`); they still count for other objects' references.
    #[arg(long, value_delimiter = ',', value_name = "KIND")]
    pub skip_kinds: Vec<String>,

    /// Treat files named on the command line like files found in a directory: skip those with
    /// no Kubernetes object (for pre-commit, which names every changed YAML file).
    #[arg(long)]
    pub skip_non_manifests: bool,

    /// Run only these rules (comma-separated ids or categories).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,

    /// Do not run these rules (comma-separated ids or categories).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,

    /// Check the Pod Security Standards at this level (`baseline`, `restricted`), as
    /// warnings, where no namespace label sets one; e.g. `restricted:v1.30` (default version
    /// `latest`).
    #[arg(long, value_name = "LEVEL[:VERSION]")]
    pub pod_security: Option<kubevet::rules::security::policy::LevelVersion>,

    /// Run the opt-in hardening checks (automountServiceAccountToken, readOnlyRootFilesystem,
    /// image digests, default ServiceAccount) as infos.
    #[arg(long)]
    pub hardening: bool,

    /// Use this configuration file for every checked file instead of the nearest
    /// `.kubevet.yaml`.
    #[arg(long, value_name = "PATH", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Use no configuration file.
    #[arg(long)]
    pub no_config: bool,

    /// Globs of files a directory walk skips, replacing the configuration's `exclude`.
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub exclude: Option<Vec<String>>,

    /// Globs of files a directory walk skips, in addition to the configuration's.
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub extend_exclude: Vec<String>,

    /// Apply safe fixes to the files, then report what is left.
    #[arg(long)]
    pub fix: bool,

    /// With --fix or --diff, also apply fixes that may change what the manifest means.
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff instead of applying them (exit 1 if there are any).
    #[arg(long)]
    pub diff: bool,

    /// Disregard `# kubevet-ignore` comments and `kubevet.dev/ignore` annotations.
    #[arg(long)]
    pub no_ignore: bool,

    /// Hide the findings recorded in this baseline file (see --write-baseline): only new
    /// findings are shown and fail the run.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,

    /// Record the run's findings in FILE, to be hidden by --baseline FILE later, and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["diff"])]
    pub write_baseline: Option<PathBuf>,

    /// Show errors only, without the summary line (the exit code still follows --fail-on).
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Lowest severity shown (findings below it are hidden, not ignored: --fail-on still
    /// counts them).
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Info)]
    pub show: FailOn,
}

fn parse_range(s: &str) -> Result<(i64, i64), String> {
    kubevet::config::file::parse_range(s)
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OutputFormat {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
    Gitlab,
    Junit,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}
