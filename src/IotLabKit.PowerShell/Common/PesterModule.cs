using System.Management.Automation;

namespace IotLabKit.PowerShell.Common;

/// <summary>Finds Pester 5 for the cmdlets that run Pester graders (quizzes, labs).</summary>
internal static class PesterModule
{
    /// <summary>
    /// The path of the Pester 5+ module to import: the one already loaded in the session (it may have come from a
    /// path outside PSModulePath), else the newest installed; null when there is none.
    /// </summary>
    public static string? Find(CommandInvocationIntrinsics invoke)
    {
        foreach (var query in new[]
                 {
                     "Get-Module Pester | Where-Object Version -ge '5.0' | Sort-Object Version -Descending | Select-Object -First 1 -ExpandProperty Path",
                     "Get-Module Pester -ListAvailable | Where-Object Version -ge '5.0' | Sort-Object Version -Descending | Select-Object -First 1 -ExpandProperty Path",
                 })
        {
            var found = invoke.InvokeScript(query);
            if (found.Count > 0 && found[0]?.BaseObject is string path) return path;
        }
        return null;
    }

    /// <summary>What to tell a user who has no Pester 5.</summary>
    public const string InstallHint = "Install it (Install-PSResource Pester) or import it (Import-Module <path>/Pester.psd1), then try again.";
}
