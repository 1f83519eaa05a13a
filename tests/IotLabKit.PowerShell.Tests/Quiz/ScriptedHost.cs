using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace IotLabKit.PowerShell.Tests.Quiz;

/// <summary>
/// A PowerShell host whose user answers from a script: each PromptForChoice asks <see cref="Choose"/> which choice
/// to pick. Everything written to the host is kept in <see cref="Output"/>. This is what an editor or any other
/// host application looks like to a cmdlet: an interactive UI that is not a console.
/// </summary>
internal sealed class ScriptedHost : PSHost
{
    private readonly ScriptedUI _ui;

    public ScriptedHost(Func<ScriptedPrompt, int> choose, bool promptThrows = false) => _ui = new ScriptedUI(choose, promptThrows);

    public string Output => _ui.Output.ToString();

    public IReadOnlyList<ScriptedPrompt> Prompts => _ui.Prompts;

    public override string Name => "IotLabKitScriptedHost";

    public override Version Version => new(1, 0);

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override PSHostUserInterface UI => _ui;

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

    public override void SetShouldExit(int exitCode)
    {
    }

    public override void EnterNestedPrompt() => throw new NotSupportedException();

    public override void ExitNestedPrompt() => throw new NotSupportedException();

    public override void NotifyBeginApplication()
    {
    }

    public override void NotifyEndApplication()
    {
    }

    private sealed class ScriptedUI(Func<ScriptedPrompt, int> choose, bool promptThrows) : PSHostUserInterface
    {
        public StringBuilder Output { get; } = new();

        public List<ScriptedPrompt> Prompts { get; } = [];

        // No raw console: the quiz must not depend on one.
        public override PSHostRawUserInterface RawUI => null!;

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            if (promptThrows)
            {
                throw new NotImplementedException("This host cannot prompt.");
            }

            var prompt = new ScriptedPrompt(caption, message, choices.Select(c => (c.Label, c.HelpMessage)).ToList());
            Prompts.Add(prompt);
            Output.AppendLine(caption).AppendLine(message);
            return choose(prompt);
        }

        public override void Write(string value) => Output.Append(value);

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Output.Append(value);

        public override void WriteLine(string value) => Output.AppendLine(value);

        public override void WriteErrorLine(string value) => Output.AppendLine(value);

        public override void WriteDebugLine(string message) => Output.AppendLine(message);

        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
        }

        public override void WriteVerboseLine(string message) => Output.AppendLine(message);

        public override void WriteWarningLine(string message) => Output.AppendLine(message);

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
            throw new NotSupportedException();

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            throw new NotSupportedException();

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();

        public override string ReadLine() => throw new NotSupportedException("The quiz asks with PromptForChoice.");

        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException();
    }
}

/// <summary>One prompt the host was asked: caption, message and the choices (label, help message).</summary>
internal sealed record ScriptedPrompt(string Caption, string Message, IReadOnlyList<(string Label, string Help)> Choices)
{
    /// <summary>The index of the choice whose help text (the option text) is <paramref name="optionText"/>.</summary>
    public int IndexOf(string optionText) => Choices.ToList().FindIndex(c => c.Help == optionText);

    /// <summary>The index of the choice labelled with <paramref name="letter"/> (labels are "&amp;A", "&amp;B" …).</summary>
    public int IndexOfLetter(string letter) => Choices.ToList().FindIndex(c => c.Label == "&" + letter);
}
