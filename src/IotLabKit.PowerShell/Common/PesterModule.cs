using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace IotLabKit.PowerShell.Common;

/// <summary>Finds Pester 5 and runs the module's Pester graders (quizzes, labs).</summary>
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

    // Runs in a runspace of its own, so an instructor's own Invoke-Pester run can call a grading cmdlet without the two
    // Pester runs sharing state. One container per data table; the caller's summary script reads $result after it.
    private const string GraderPrologue = """
        param($PesterPath, $ModulePath, $GraderPath, $Runs, $OutputPath, $OutputFormat, $Verbosity, $SuiteName)
        $ErrorActionPreference = 'Stop'
        Import-Module $PesterPath
        Import-Module $ModulePath
        $config = New-PesterConfiguration
        $config.Run.Container = @(foreach ($run in $Runs) { New-PesterContainer -Path $GraderPath -Data $run })
        $config.Run.PassThru = $true
        $config.Output.Verbosity = $Verbosity
        if ($OutputPath) {
            $config.TestResult.Enabled = $true
            $config.TestResult.OutputPath = $OutputPath
            $config.TestResult.OutputFormat = $OutputFormat
            $config.TestResult.TestSuiteName = $SuiteName
        }
        $result = Invoke-Pester -Configuration $config

        """;

    /// <summary>
    /// Runs the grader at <paramref name="graderPath"/> once per data table in <paramref name="runs"/>, with the
    /// module from <paramref name="moduleDirectory"/> (or this assembly) imported, writing the results XML when
    /// <paramref name="outputPath"/> is given; returns what <paramref name="summaryScript"/> makes of <c>$result</c>.
    /// The grader's non-terminating errors go to <paramref name="cmdlet"/>; a failed run throws <see cref="RuntimeException"/>.
    /// </summary>
    public static Collection<PSObject> RunGrader(PSCmdlet cmdlet, string pesterPath, string moduleDirectory, string graderPath,
        IEnumerable<IDictionary> runs, string? outputPath, string outputFormat, string verbosity, string suiteName, string summaryScript)
    {
        var module = Path.Combine(moduleDirectory, "IotLabKit.psd1");
        if (!File.Exists(module)) module = typeof(PesterModule).Assembly.Location;
        using var runspace = RunspaceFactory.CreateRunspace(cmdlet.Host, InitialSessionState.CreateDefault2());
        runspace.Open();
        runspace.SessionStateProxy.Path.SetLocation(cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath);
        using var shell = System.Management.Automation.PowerShell.Create();
        shell.Runspace = runspace;
        shell.AddScript(GraderPrologue + summaryScript)
            .AddArgument(pesterPath).AddArgument(module).AddArgument(graderPath).AddArgument(runs.Cast<object>().ToArray())
            .AddArgument(outputPath).AddArgument(outputFormat).AddArgument(verbosity).AddArgument(suiteName);
        var output = shell.Invoke();
        foreach (var error in shell.Streams.Error) cmdlet.WriteError(error);
        return output;
    }
}
