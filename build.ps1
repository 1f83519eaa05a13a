<#
.SYNOPSIS
    Builds IotLabKit, runs the demo, or runs every test suite.

.DESCRIPTION
    Run it through the repository's pinned PowerShell:

        dotnet tool restore && dotnet pwsh ./build.ps1 -Task Demo
        dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test

    Build  restores and builds IotLabKit.sln; the PowerShell project stages the module into out/IotLabKit.
    Demo   Build, then runs AZ-220 Lab 15 (or -Lab 16) unattended end to end against the embedded emulator, grades
           it with the lab's Pester grader and prints the score (samples/RunLab.ps1).
    Tour   Build, then runs the unattended tour of the cmdlets (samples/Tour.ps1) against an in-memory emulator.
    Test   Build, then every suite: each xunit project (found, not listed), the Pester tests under tests/pester,
           and the Node.js conformance suite (tests/conformance). Prints per-suite counts and ends with one line
           "N passed, N failed, N skipped"; exits non-zero when anything failed or a suite could not run.

.PARAMETER Task
    Build (default), Demo, Tour or Test.

.PARAMETER Lab
    With -Task Demo: the lab to run, 15 (default) or 16.

.PARAMETER Configuration
    The build configuration: Release (default) or Debug.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Demo', 'Tour', 'Test')]
    [string] $Task = 'Build',

    [ValidateSet(15, 16)]
    [int] $Lab = 15,

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release'
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$RepoRoot = $PSScriptRoot
$Solution = Join-Path $RepoRoot 'IotLabKit.sln'
$ResultsDir = Join-Path $RepoRoot 'out' 'test-results'
$ConformanceDir = Join-Path $RepoRoot 'tests' 'conformance'
$MinimumNodeMajor = 20

$env:DOTNET_NOLOGO = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'

# A failure of the build itself, as opposed to a failing test: reported on one line, no stack trace.
class BuildFailure : System.Exception {
    BuildFailure([string] $message) : base($message) {}
}

function Write-Step([string] $text) {
    Write-Host ''
    # The clock shows where a slow run spent its time.
    Write-Host ("==> [{0:mm\:ss}] {1}" -f $stopwatch.Elapsed, $text) -ForegroundColor Cyan
}

function Invoke-Native {
    # Runs a native command with the console attached; fails the build with $FailureMessage on a non-zero exit.
    param([string] $FailureMessage, [scriptblock] $Command)
    & $Command | Out-Host
    if ($LASTEXITCODE -ne 0) { throw [BuildFailure]::new("$FailureMessage (exit code $LASTEXITCODE).") }
}

function Assert-Node {
    $node = Get-Command node -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $node) {
        throw [BuildFailure]::new("Node.js not found: the conformance suite needs Node.js $MinimumNodeMajor or later (node and npm on PATH).")
    }
    $version = (& $node.Source --version).Trim()
    if ($version -notmatch '^v(\d+)\.' -or [int]$Matches[1] -lt $MinimumNodeMajor) {
        throw [BuildFailure]::new("Node.js $version found at $($node.Source); the conformance suite needs Node.js $MinimumNodeMajor or later.")
    }
    if (-not (Get-Command npm -ErrorAction SilentlyContinue)) {
        throw [BuildFailure]::new("npm not found: it comes with Node.js; put it on PATH next to node ($($node.Source)).")
    }
    Write-Host "Node.js $version ($($node.Source))"
}

function Invoke-Build {
    Write-Step "Build IotLabKit.sln ($Configuration)"
    Invoke-Native "dotnet build failed" { dotnet build $Solution -c $Configuration -nologo }
    $manifest = Join-Path $RepoRoot 'out' 'IotLabKit' 'IotLabKit.psd1'
    if (-not (Test-Path $manifest)) {
        throw [BuildFailure]::new("The build did not stage the module: $manifest is missing.")
    }
}

function Get-PesterModulePath {
    # Pester comes from the NuGet package that build/IotLabKit.Tools.csproj restores, never from a gallery.
    $project = Join-Path $RepoRoot 'build' 'IotLabKit.Tools.csproj'
    $output = dotnet msbuild $project -t:PrintPesterPath -nologo -v:m
    if ($LASTEXITCODE -ne 0) { throw [BuildFailure]::new("Could not resolve Pester: $($output -join ' ')") }
    $folder = ($output | ForEach-Object { $_.Trim() } | Where-Object { $_ } | Select-Object -Last 1)
    $psd1 = if ($folder) { Join-Path $folder 'Pester.psd1' }
    if (-not $psd1 -or -not (Test-Path $psd1)) {
        throw [BuildFailure]::new("Pester was not restored: expected Pester.psd1 under '$folder'. Run 'dotnet restore build/IotLabKit.Tools.csproj'.")
    }
    return $psd1
}

# ---------------------------------------------------------------------------------------------------------------
# Suites. Each returns one result: Suite, Runner, Passed, Failed, Skipped, Problem (why it could not run or why
# its exit code disagrees with its counts; a problem counts as one failure so the summary line never reads clean).

function New-SuiteResult([string] $Runner, [string] $Suite) {
    [pscustomobject]@{ Runner = $Runner; Suite = $Suite; Passed = 0; Failed = 0; Skipped = 0; Problem = $null }
}

function Get-XunitProjects {
    # Test projects are found, not listed: those in the solution plus any other under tests/ that says it is one.
    $inSolution = dotnet sln $Solution list | Where-Object { $_ -match '\.csproj\s*$' } |
        ForEach-Object { [System.IO.Path]::GetFullPath((Join-Path $RepoRoot $_.Trim().Replace('\', [System.IO.Path]::DirectorySeparatorChar))) }
    if ($LASTEXITCODE -ne 0) { throw [BuildFailure]::new('dotnet sln list failed.') }
    $underTests = Get-ChildItem (Join-Path $RepoRoot 'tests') -Recurse -Filter *.csproj -File |
        Where-Object { $_.FullName -notmatch '[\\/](bin|obj|node_modules)[\\/]' } |
        ForEach-Object FullName
    $candidates = @($inSolution) + @($underTests) | Sort-Object -Unique
    foreach ($path in $candidates) {
        $text = Get-Content -Raw $path
        if ($text -match '<IsTestProject>\s*true\s*</IsTestProject>' -or $text -match 'Include="Microsoft\.NET\.Test\.Sdk"') {
            [pscustomobject]@{ Path = $path; Name = [System.IO.Path]::GetFileNameWithoutExtension($path); InSolution = $inSolution -contains $path }
        }
    }
}

function Read-TrxCounts([string] $trxPath, $result) {
    [xml] $trx = Get-Content -Raw $trxPath
    $ns = @{ t = 'http://microsoft.com/schemas/VisualStudio/TeamTest/2010' }
    foreach ($node in (Select-Xml -Xml $trx -XPath '//t:Results/t:UnitTestResult' -Namespace $ns)) {
        switch ($node.Node.outcome) {
            'Passed' { $result.Passed++ }
            { $_ -in 'Failed', 'Error', 'Timeout', 'Aborted' } { $result.Failed++ }
            default { $result.Skipped++ }
        }
    }
}

function Invoke-XunitSuite($project) {
    $result = New-SuiteResult 'xunit' $project.Name
    Write-Step "xunit: $($project.Name)"
    $dir = Join-Path $ResultsDir 'xunit'
    $trxName = "$($project.Name).trx"
    $arguments = @('test', $project.Path, '-c', $Configuration, '--nologo',
        '--logger', "trx;LogFileName=$trxName", '--logger', 'console;verbosity=normal',
        '--results-directory', $dir,
        # A hung test must not eat CI's 90 minutes: blame stops it and the run reports which test it was.
        '--blame-hang-timeout', '15m', '--blame-hang-dump-type', 'none')
    if ($project.InSolution) { $arguments += '--no-build' }
    & dotnet @arguments | Out-Host
    $exitCode = $LASTEXITCODE
    $trxPath = Join-Path $dir $trxName
    if (Test-Path $trxPath) { Read-TrxCounts $trxPath $result }
    else { $result.Problem = "no test results were written (dotnet test exit code $exitCode)" }
    if (-not $result.Problem -and $exitCode -ne 0 -and $result.Failed -eq 0) {
        $result.Problem = "dotnet test exited with code $exitCode but reported no failing test"
    }
    return $result
}

function Invoke-PesterSuite([string] $pesterPsd1) {
    $result = New-SuiteResult 'pester' 'tests/pester'
    Write-Step 'Pester: tests/pester'
    $root = Join-Path $RepoRoot 'tests' 'pester'
    $files = @(if (Test-Path $root) { Get-ChildItem $root -Recurse -Filter *.Tests.ps1 -File })
    if ($files.Count -eq 0) {
        Write-Host 'No Pester test files under tests/pester.'
        return $result
    }
    $summaryPath = Join-Path $ResultsDir 'pester-summary.json'
    $xmlPath = Join-Path $ResultsDir 'pester.xml'
    # Its own process, so the binary module and whatever the tests start never live in the build's session.
    $script = @'
param($PesterPsd1, $TestRoot, $XmlPath, $SummaryPath, $RenderMode)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPsd1 -Force
$config = New-PesterConfiguration
$config.Run.Path = $TestRoot
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.Output.RenderMode = $RenderMode
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = $XmlPath
$run = Invoke-Pester -Configuration $config
[ordered]@{
    passed  = $run.PassedCount
    failed  = $run.FailedCount + $run.FailedBlocksCount + $run.FailedContainersCount
    skipped = $run.SkippedCount + $run.NotRunCount
} | ConvertTo-Json | Set-Content -Path $SummaryPath -Encoding utf8
'@
    # Colour codes only for a person at a terminal; a CI log gets plain text.
    $renderMode = if ($env:CI -or [Console]::IsOutputRedirected) { 'Plaintext' } else { 'Ansi' }
    $scriptPath = Join-Path $ResultsDir 'run-pester.ps1'
    Set-Content -Path $scriptPath -Value $script -Encoding utf8
    Push-Location $RepoRoot
    try {
        & dotnet pwsh -NoProfile -NonInteractive -File $scriptPath -PesterPsd1 $pesterPsd1 -TestRoot $root -XmlPath $xmlPath -SummaryPath $summaryPath -RenderMode $renderMode | Out-Host
        $exitCode = $LASTEXITCODE
    }
    finally { Pop-Location }
    if (Test-Path $summaryPath) {
        $summary = Get-Content -Raw $summaryPath | ConvertFrom-Json
        $result.Passed = [int]$summary.passed
        $result.Failed = [int]$summary.failed
        $result.Skipped = [int]$summary.skipped
    }
    else { $result.Problem = "Pester wrote no summary (exit code $exitCode)" }
    return $result
}

function Invoke-ConformanceSuite {
    $result = New-SuiteResult 'node' 'tests/conformance'
    Write-Step 'Node.js conformance: tests/conformance'
    Push-Location $ConformanceDir
    try {
        $install = if (Test-Path 'package-lock.json') { 'ci' } else { 'install' }
        & npm $install --no-audit --no-fund --loglevel=warn | Out-Host
        if ($LASTEXITCODE -ne 0) {
            $result.Problem = "npm $install failed (exit code $LASTEXITCODE)"
            return $result
        }
        $tap = Join-Path $ResultsDir 'conformance.tap'
        & node run.mjs --configuration $Configuration --tap $tap | Out-Host
        $exitCode = $LASTEXITCODE
    }
    finally { Pop-Location }

    $counts = @{ pass = 0; fail = 0; cancelled = 0; skipped = 0; todo = 0 }
    $closed = $false
    if (Test-Path $tap) {
        # Node's TAP reporter closes with unindented "# pass N", "# fail N", … lines for the whole run.
        foreach ($line in Get-Content $tap) {
            if ($line -match '^# (tests|pass|fail|cancelled|skipped|todo) (\d+)$') {
                $counts[$Matches[1]] = [int]$Matches[2]
                $closed = $true
            }
        }
    }
    if (-not $closed) {
        $result.Problem = "the suite did not run to the end (exit code $exitCode)"
        return $result
    }
    $result.Passed = $counts['pass']
    $result.Failed = $counts['fail'] + $counts['cancelled']
    $result.Skipped = $counts['skipped'] + $counts['todo']
    if ($exitCode -ne 0 -and $result.Failed -eq 0) {
        $result.Problem = "node exited with code $exitCode but reported no failing test"
    }
    return $result
}

function Invoke-Test {
    Assert-Node
    Invoke-Build
    $pester = Get-PesterModulePath
    if (Test-Path $ResultsDir) { Remove-Item $ResultsDir -Recurse -Force }
    New-Item -ItemType Directory -Path $ResultsDir -Force | Out-Null

    $results = [System.Collections.Generic.List[object]]::new()
    foreach ($project in Get-XunitProjects) { $results.Add((Invoke-XunitSuite $project)) }
    $results.Add((Invoke-PesterSuite $pester))
    $results.Add((Invoke-ConformanceSuite))

    Write-Host ''
    Write-Host 'Test results by suite:'
    foreach ($r in $results) {
        $line = '  {0,-7} {1,-34} passed {2,5}   failed {3,4}   skipped {4,4}' -f $r.Runner, $r.Suite, $r.Passed, $r.Failed, $r.Skipped
        if ($r.Problem) { $line += "   PROBLEM: $($r.Problem)" }
        Write-Host $line
    }
    $problems = @($results | Where-Object Problem).Count
    $passed = ($results | Measure-Object Passed -Sum).Sum
    $failed = ($results | Measure-Object Failed -Sum).Sum + $problems
    $skipped = ($results | Measure-Object Skipped -Sum).Sum
    $script:SummaryLine = "$passed passed, $failed failed, $skipped skipped"
    return [int]($failed -gt 0)
}

function Invoke-Demo {
    Invoke-Build
    $pester = Get-PesterModulePath
    Write-Step "Demo: Lab $Lab unattended against the embedded emulator, then graded (samples/RunLab.ps1)"
    Push-Location $RepoRoot
    try { & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $RepoRoot 'samples' 'RunLab.ps1') -Lab $Lab -PesterPath $pester | Out-Host }
    finally { Pop-Location }
    if ($LASTEXITCODE -ne 0) { throw [BuildFailure]::new("Lab $Lab did not pass (exit code $LASTEXITCODE).") }
    return 0
}

function Invoke-Tour {
    Invoke-Build
    Write-Step 'Tour: samples/Tour.ps1'
    Push-Location $RepoRoot
    try { & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $RepoRoot 'samples' 'Tour.ps1') | Out-Host }
    finally { Pop-Location }
    if ($LASTEXITCODE -ne 0) { throw [BuildFailure]::new("The tour failed (exit code $LASTEXITCODE).") }
    return 0
}

$SummaryLine = $null
$stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
try {
    $exitCode = switch ($Task) {
        'Build' { Invoke-Build; 0 }
        'Demo' { Invoke-Demo }
        'Tour' { Invoke-Tour }
        'Test' { Invoke-Test }
    }
}
catch [BuildFailure] {
    Write-Host ''
    Write-Host "build.ps1 -Task ${Task}: $($_.Exception.Message)" -ForegroundColor Red
    # CI reads the summary line, so a test run that never reached the suites still ends with one.
    if ($Task -eq 'Test') { $SummaryLine = '0 passed, 1 failed, 0 skipped' }
    $exitCode = 1
}
catch {
    # Not a planned failure: a bug in this script or in the machine's set-up. Say where, for whoever fixes it.
    Write-Host ''
    Write-Host "build.ps1 -Task ${Task} failed unexpectedly: $($_.Exception.Message)" -ForegroundColor Red
    Write-Host $_.ScriptStackTrace
    if ($Task -eq 'Test') { $SummaryLine = '0 passed, 1 failed, 0 skipped' }
    $exitCode = 1
}
Write-Host ''
Write-Host ("build.ps1 -Task {0} finished in {1:mm\:ss}." -f $Task, $stopwatch.Elapsed)
# The one line CI reads, always last.
if ($SummaryLine) { Write-Host $SummaryLine }
exit $exitCode
