package dev.handoff.lab.world.tofu;

/** The usage texts OpenTofu 1.8.5 prints where the stand-in's commands need them. */
final class HelpTexts {
    private HelpTexts() {}

    static final String MAIN = """
            Usage: tofu [global options] <subcommand> [args]

            The available commands for execution are listed below.
            The primary workflow commands are given first, followed by
            less common or more advanced commands.

            Main commands:
              init          Prepare your working directory for other commands
              validate      Check whether the configuration is valid
              plan          Show changes required by the current configuration
              apply         Create or update infrastructure
              destroy       Destroy previously-created infrastructure

            All other commands:
              output        Show output values from your root module
              show          Show the current state or a saved plan
              state         Advanced state management
              version       Show the current OpenTofu version

            Global options (use these before the subcommand, if any):
              -chdir=DIR    Switch to a different working directory before executing the
                            given subcommand.
              -help         Show this help output, or the help for a specified subcommand.
              -version      An alias for the "version" subcommand.""";

    static final String INIT = """
            Usage: tofu [global options] init [options]

              Initialize a new or existing OpenTofu working directory by creating
              initial files, loading any remote state, downloading modules, etc.

              This is the first command that should be run for any new or existing
              OpenTofu configuration per machine. This sets up all the local data
              necessary to run OpenTofu that is typically not committed to version
              control.

              This command is always safe to run multiple times. Though subsequent runs
              may give errors, this command will never delete your configuration or
              state. Even so, if you have important information, please back it up prior
              to running this command, just in case.

            Options:

              -backend=false          Disable backend or cloud backend initialization
                                      for this configuration and use what was previously
                                      initialized instead.

                                      aliases: -cloud=false

              -backend-config=path    Configuration to be merged with what is in the
                                      configuration file's 'backend' block. This can be
                                      either a path to an HCL file with key/value
                                      assignments (same format as terraform.tfvars) or a
                                      'key=value' format, and can be specified multiple
                                      times. The backend type must be in the configuration
                                      itself.

              -force-copy             Suppress prompts about copying state data when
                                      initializating a new state backend. This is
                                      equivalent to providing a "yes" to all confirmation
                                      prompts.

              -from-module=SOURCE     Copy the contents of the given module into the target
                                      directory before initialization.

              -get=false              Disable downloading modules for this configuration.

              -input=false            Disable interactive prompts. Note that some actions may
                                      require interactive prompts and will error if input is
                                      disabled.

              -lock=false             Don't hold a state lock during backend migration.
                                      This is dangerous if others might concurrently run
                                      commands against the same workspace.

              -lock-timeout=0s        Duration to retry a state lock.

              -no-color               If specified, output won't contain any color.

              -plugin-dir             Directory containing plugin binaries. This overrides all
                                      default search paths for plugins, and prevents the
                                      automatic installation of plugins. This flag can be used
                                      multiple times.

              -reconfigure            Reconfigure a backend, ignoring any saved
                                      configuration.

              -migrate-state          Reconfigure a backend, and attempt to migrate any
                                      existing state.

              -upgrade                Install the latest module and provider versions
                                      allowed within configured constraints, overriding the
                                      default behavior of selecting exactly the version
                                      recorded in the dependency lockfile.

              -lockfile=MODE          Set a dependency lockfile mode.
                                      Currently only "readonly" is valid.

              -ignore-remote-version  A rare option used for cloud backend and the remote backend
                                      only. Set this to ignore checking that the local and remote
                                      OpenTofu versions use compatible state representations, making
                                      an operation proceed even when there is a potential mismatch.
                                      See the documentation on configuring OpenTofu with
                                      cloud backend for more information.

              -test-directory=path    Set the OpenTofu test directory, defaults to "tests". When set, the
                                      test command will search for test files in the current directory and
                                      in the one specified by the flag.

              -json                   Produce output in a machine-readable JSON format,\s
                                      suitable for use in text editor integrations and other\s
                                      automated systems. Always disables color.

              -var 'foo=bar'          Set a value for one of the input variables in the root
                                      module of the configuration. Use this option more than
                                      once to set more than one variable.

              -var-file=filename      Load variable values from the given file, in addition
                                      to the default files terraform.tfvars and *.auto.tfvars.
                                      Use this option more than once to include more than one
                                      variables file.""";

    static final String STATE_PUSH = """
            Usage: tofu [global options] state push [options] PATH

              Update remote state from a local state file at PATH.

              This command "pushes" a local state and overwrites remote state
              with a local state file. The command will protect you against writing
              an older serial or a different state file lineage unless you specify the
              "-force" flag.

              This command works with local state (it will overwrite the local
              state), but is less useful for this use case.

              If PATH is "-", then this command will read the state to push from stdin.
              Data from stdin is not streamed to the backend: it is loaded completely
              (until pipe close), verified, and then pushed.

            Options:

              -force              Write the state even if lineages don't match or the
                                  remote serial is higher.

              -lock=false         Don't hold a state lock during the operation. This is
                                  dangerous if others might concurrently run commands
                                  against the same workspace.

              -lock-timeout=0s    Duration to retry a state lock.

              -var 'foo=bar'      Set a value for one of the input variables in the root
                                  module of the configuration. Use this option more than
                                  once to set more than one variable.

              -var-file=filename  Load variable values from the given file, in addition
                                  to the default files terraform.tfvars and *.auto.tfvars.
                                  Use this option more than once to include more than one
                                  variables file.""";

    static final String STATE = """
            Usage: tofu [global options] state <subcommand> [options] [args]

              This command has subcommands for advanced state management.

              These subcommands can be used to slice and dice the OpenTofu state.
              This is sometimes necessary in advanced cases. For your safety, all
              state management commands that modify the state create a timestamped
              backup of the state prior to making modifications.

              The structure and output of the commands is specifically tailored to work
              well with the common Unix utilities such as grep, awk, etc. We recommend
              using those tools to perform more advanced state tasks.""";
}
