using System.Management.Automation;
using IotLabKit.Labs.Catalog;
using IotLabKit.Labs.Model;
using IotLabKit.Labs.Scripting;
using IotLabKit.PowerShell.Errors;

namespace IotLabKit.PowerShell.Labs;

/// <summary>
/// The base of the lab cmdlets: where labs are found (-LabPath, IOTLABKIT_LABS_PATH, then the module's labs/
/// folder), lab-definition and script failures as error records, and script output shown on the console.
/// </summary>
public abstract class LabCmdlet : IotLabKitCmdlet
{
    /// <summary>The folder of the module's assembly; shipped labs live in its labs/ subfolder.</summary>
    internal static string ModuleDirectory =>
        Path.GetDirectoryName(typeof(LabCmdlet).Assembly.Location) ?? AppContext.BaseDirectory;

    /// <summary>The folders searched for labs, given the cmdlet's -LabPath (PowerShell paths).</summary>
    protected IReadOnlyList<string> LabRoots(string[]? labPath) =>
        LabCatalog.Roots(labPath?.Select(p => SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)),
            Path.Combine(ModuleDirectory, "labs"));

    /// <summary>Finds lab <paramref name="id"/> or stops the command with <c>&lt;Command&gt;LabNotFound</c>.</summary>
    protected Lab ResolveLab(int id, string[]? labPath)
    {
        var roots = LabRoots(labPath);
        var broken = new List<LabDefinitionException>();
        var lab = LabCatalog.LoadAll(roots, broken.Add).FirstOrDefault(l => l.Id == id);
        if (lab is not null) return lab;
        var invalid = broken.FirstOrDefault(b => Path.GetFileName(Path.GetDirectoryName(b.Path) ?? "").StartsWith($"lab{id}", StringComparison.OrdinalIgnoreCase));
        if (invalid is not null)
            Fail("InvalidDefinition", ErrorCategory.InvalidData, invalid.Message, invalid.Path,
                recommendedAction: "Fix the lab.json problems listed (labs/README.md describes the format).");
        Fail("LabNotFound", ErrorCategory.ObjectNotFound,
            $"There is no lab {id}. Looked in: {string.Join("; ", roots)}.", id,
            recommendedAction: "Run Get-IotLab to see the labs there are, or give -LabPath with the folder that holds the lab.");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>One error record per compile error: file:line:column, the message, the student's line and a caret.</summary>
    protected void WriteCompilationErrors(LabScriptCompilationException exception)
    {
        foreach (var error in exception.Errors)
        {
            var record = ErrorRecordFactory.Create(CommandId, "CompilationError", ErrorCategory.InvalidData,
                error.ToString(), $"{error.Path}:{error.Line}:{error.Column}");
            WriteError(record);
        }
    }

    /// <summary>The record for a script that threw: its message and the script's own frames, nothing else.</summary>
    protected ErrorRecord ScriptFailed(LabScriptRuntimeException exception) =>
        ErrorRecordFactory.Create(CommandId, "ScriptFailed", ErrorCategory.InvalidResult, exception.Message, exception.Path,
            recommendedAction: "Look at the script line named above; the lab's instructions say what it should do.");

    /// <summary>Shows a script line on the console in its colour (through the information stream, as Write-Host does).</summary>
    protected void ShowLine(ScriptLine line, string? prefix = null)
    {
        var message = new HostInformationMessage
        {
            Message = prefix is null ? line.Text : $"[{prefix}] {line.Text}",
            NoNewLine = false,
        };
        if (line.Color is { } color) message.ForegroundColor = color;
        else if (line.IsError) message.ForegroundColor = ConsoleColor.Red;
        WriteInformation(new InformationRecord(message, prefix ?? "IotLabScript") { Tags = { "PSHOST" } });
    }
}
