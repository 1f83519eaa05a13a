using System.Collections;
using System.Management.Automation;
using System.Security;
using System.Text.RegularExpressions;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Output;
using IotLabKit.PowerShell.Session;

namespace IotLabKit.PowerShell.Labs;

/// <summary>
/// Grades a hub after a lab with the lab's Pester grader (LabNN.Tests.ps1): one test per check, a score
/// "n of m checks passed", and optionally NUnit or JUnit XML for a gradebook or CI.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "IotLab")]
[OutputType(typeof(LabGradeInfo))]
public sealed partial class TestIotLabCommand : LabCmdlet
{
    // Reads the graded run ($result, from PesterModule.RunGrader): each check's name, result and message. The grader's
    // runspace imports the same assembly, so it sees this session's hub connection.
    private const string Summarize = """
        [pscustomobject]@{
            Tests  = @($result.Tests | ForEach-Object {
                [pscustomobject]@{
                    Name    = $_.ExpandedName
                    Result  = [string]$_.Result
                    Message = if ($_.ErrorRecord) { $_.ErrorRecord[0].Exception.Message } else { $null }
                }
            })
            Errors = @($result.Containers | ForEach-Object { $_.ErrorRecord } | Where-Object { $_ } | ForEach-Object { $_.Exception.Message })
        }
        """;

    /// <summary>The lab's number (15, 16).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, int.MaxValue)]
    public int Lab { get; set; }

    /// <summary>The service connection string of the hub to grade (iothubowner); default: the session's hub.</summary>
    [Parameter]
    [SecureStringTransformation]
    public SecureString? ConnectionString { get; set; }

    /// <summary>The hub's Event Hubs-compatible endpoint connection string, for checks that read telemetry.</summary>
    [Parameter]
    [SecureStringTransformation]
    public SecureString? EventHubConnectionString { get; set; }

    /// <summary>The device ids to check instead of the course's.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("DeviceIds")]
    [ValidateNotNullOrEmpty]
    public string[]? DeviceId { get; set; }

    /// <summary>Writes the Pester results to this XML file.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    /// <summary>The XML format of -OutputPath: NUnitXml (NUnit 2.5, the default), NUnit3 or JUnitXml.</summary>
    [Parameter]
    [ValidateSet("NUnitXml", "NUnit3", "JUnitXml")]
    public string OutputFormat { get; set; } = "NUnitXml";

    /// <summary>How much Pester itself prints: None (the default; the cmdlet prints each check), Normal, Detailed or Diagnostic.</summary>
    [Parameter]
    [ValidateSet("None", "Normal", "Detailed", "Diagnostic")]
    public string Verbosity { get; set; } = "None";

    /// <summary>Folders to search for labs before IOTLABKIT_LABS_PATH and the module's own labs.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? LabPath { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var lab = ResolveLab(Lab, LabPath);
        var grader = Path.Combine(lab.Directory, $"Lab{lab.Id}.Tests.ps1");
        if (!File.Exists(grader))
            Fail("GraderNotFound", ErrorCategory.ObjectNotFound, $"Lab {lab.Id} has no grader: '{grader}' is missing.", grader);
        var connectionString = ConnectionString is null ? null : SecretText.ToPlainText(ConnectionString);
        if (connectionString is null && HubSession.Current is null) ThrowTerminatingError(Errors.ErrorRecordFactory.NotConnected(CommandId));
        var pester = PesterModule.Find(InvokeCommand);
        if (pester is null)
            Fail("PesterNotFound", ErrorCategory.ObjectNotFound,
                "Test-IotLab runs the lab's Pester grader and needs Pester 5 or later, which is not installed or loaded.", "Pester",
                recommendedAction: PesterModule.InstallHint);

        var data = new Hashtable();
        if (connectionString is not null) data["ConnectionString"] = connectionString;
        if (EventHubConnectionString is not null) data["EventHubConnectionString"] = SecretText.ToPlainText(EventHubConnectionString);
        if (DeviceId is not null) data["DeviceIds"] = DeviceId;
        var reportPath = OutputPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputPath);
        if (reportPath is not null && Path.GetDirectoryName(reportPath) is { Length: > 0 } folder) Directory.CreateDirectory(folder);

        var summary = KeepingSessionConnection(() => Grade(pester!, grader, data, reportPath, $"IotLabKit lab {lab.Id}"));
        var checks = Items(summary, "Tests").Select(t => new LabCheckResult
        {
            Name = t.Properties["Name"]?.Value?.ToString() ?? "",
            Passed = string.Equals(t.Properties["Result"]?.Value?.ToString(), "Passed", StringComparison.Ordinal),
            Message = Because(t.Properties["Message"]?.Value?.ToString()),
        }).ToList();
        foreach (var error in Items(summary, "Errors"))
            WriteError(Errors.ErrorRecordFactory.Create(CommandId, "GraderFailed", ErrorCategory.InvalidResult, $"The grader failed: {error}", grader));
        if (checks.Count == 0)
        {
            Fail("GraderFailed", ErrorCategory.InvalidResult, $"The grader '{grader}' ran no checks.", grader);
        }

        Show("");
        Show($"Lab {lab.Id}: {lab.Title}", ConsoleColor.Yellow);
        foreach (var check in checks)
        {
            Show((check.Passed ? "✓ " : "✗ ") + check.Name, check.Passed ? ConsoleColor.Green : ConsoleColor.Red);
            if (!check.Passed && check.Message is { } message) Show("    " + message);
        }
        var report = new LabGradeInfo
        {
            Lab = lab.Id,
            Title = lab.Title,
            Hub = connectionString is not null && Protocol.IotHubConnectionString.TryParse(connectionString, out var cs, out _) ? cs!.HostName : HubSession.Current?.HostName,
            Passed = checks.Count(c => c.Passed),
            Failed = checks.Count(c => !c.Passed),
            Checks = checks,
            TestResultPath = reportPath,
        };
        Show(report.Score, report.Failed == 0 ? ConsoleColor.Green : ConsoleColor.Yellow);
        WriteObject(report.ToPSObject());
    }

    private PSObject? Grade(string pester, string grader, Hashtable data, string? reportPath, string suiteName)
    {
        try
        {
            return PesterModule.RunGrader(this, pester, ModuleDirectory, grader, [data], reportPath, OutputFormat, Verbosity, suiteName, Summarize).LastOrDefault();
        }
        catch (RuntimeException ex)
        {
            Fail("GraderFailed", ErrorCategory.InvalidResult, $"The Pester grader failed: {ex.Message}", grader, ex);
            throw;
        }
    }

    // A grader given a connection string connects to that hub (Connect-IotHub in its BeforeAll), which is the module's
    // one session connection; grading a student's hub must not leave the instructor's session pointing there.
    private static T KeepingSessionConnection<T>(Func<T> grade)
    {
        var previous = HubSession.Current;
        var (connectionString, ca, name) = previous is null ? default : (previous.ConnectionString, previous.CaCertificatePath, previous.HubName);
        try
        {
            return grade();
        }
        finally
        {
            if (!ReferenceEquals(HubSession.Current, previous))
            {
                if (previous is null) HubSession.Disconnect();
                else HubSession.Connect(new HubConnection(connectionString!, ca) { HubName = name! });
            }
        }
    }

    private static IEnumerable<PSObject> Items(PSObject? summary, string property) =>
        summary?.Properties[property]?.Value is { } value && LanguagePrimitives.GetEnumerable(value) is { } items
            ? items.Cast<object?>().Where(i => i is not null).Select(PSObject.AsPSObject)
            : [];

    // Pester words it "Expected $true, because <the check's message>, but got $false."; the student needs the middle.
    private static string? Because(string? message)
    {
        if (message is null) return null;
        var match = BecausePattern().Match(message);
        return match.Success ? match.Groups[1].Value : message;
    }

    private void Show(string text, ConsoleColor? color = null) => ShowLine(new IotLabKit.Labs.Scripting.ScriptLine(text, color));

    [GeneratedRegex(@"because (.*), but got", RegexOptions.Singleline)]
    private static partial Regex BecausePattern();
}
