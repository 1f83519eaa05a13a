using System.Management.Automation.Host;

namespace IotLabKit.PowerShell.Quiz;

/// <summary>
/// Decides whether a quiz can be asked in this host. Interactive means a person answers prompts: pwsh on a
/// terminal, or a host application whose UI implements PromptForChoice (an editor, a test's scripted host).
/// Not interactive: pwsh started with -NonInteractive, pwsh whose standard input is redirected (answers piped in
/// belong in Submit-IotQuiz, which validates them), and hosts without a UI (PowerShell.Create(), jobs).
/// Hosts that cannot be recognised up front are caught at the first prompt (see StartIotQuizCommand).
/// </summary>
internal static class InteractiveHost
{
    private const string ConsoleHostName = "ConsoleHost";

    /// <summary>Why the host cannot run an interactive quiz, or null when it can.</summary>
    public static string? WhyNot(PSHost host, IReadOnlyList<string> commandLine, bool inputRedirected)
    {
        if (host.Name == "Default Host")
        {
            return "the PowerShell host has no user interface";
        }

        if (host.Name != ConsoleHostName)
        {
            return null;
        }

        if (HasNonInteractiveSwitch(commandLine))
        {
            return "pwsh was started with -NonInteractive";
        }

        return inputRedirected ? "its standard input is redirected, not a terminal" : null;
    }

    /// <summary>
    /// True when pwsh's own arguments (before -Command/-File, after which they belong to the script) include
    /// -NonInteractive or an abbreviation pwsh accepts (down to -noni).
    /// </summary>
    internal static bool HasNonInteractiveSwitch(IReadOnlyList<string> commandLine)
    {
        // Element 0 is the program (pwsh or pwsh.dll).
        foreach (var arg in commandLine.Skip(1))
        {
            var name = SwitchName(arg);
            if (name is null)
            {
                continue;
            }

            if (IsPrefixOf(name, "command", 1) || IsPrefixOf(name, "file", 1) || IsPrefixOf(name, "encodedcommand", 1)
                || name is "ec" or "cwa" || IsPrefixOf(name, "commandwithargs", 8))
            {
                return false;
            }

            if (IsPrefixOf(name, "noninteractive", 4))
            {
                return true;
            }
        }

        return false;
    }

    private static string? SwitchName(string arg)
    {
        var trimmed = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..]
            : arg.StartsWith('-') || (OperatingSystem.IsWindows() && arg.StartsWith('/')) ? arg[1..]
            : null;
        return trimmed?.Split(':')[0].ToLowerInvariant();
    }

    private static bool IsPrefixOf(string name, string full, int minimum) =>
        name.Length >= minimum && full.StartsWith(name, StringComparison.Ordinal);
}
