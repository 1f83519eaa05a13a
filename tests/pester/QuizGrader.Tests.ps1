# Test-IotQuiz and the Pester grader it runs (quizzes/Quiz.Tests.ps1, shipped in out/IotLabKit/quizzes).
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-IotLabKitForTest
    $script:Key = [ordered]@{ '8.1' = 'B'; '8.2' = 'A'; '8.3' = 'A'; '8.4' = 'B'; '8.5' = 'C'; '8.6' = 'C'; '8.7' = 'A'; '8.8' = 'A'; '8.9' = 'A' }
    $script:Source = Get-Content -Raw (Join-Path $RepoRoot 'quizzes' 'source' 'module-08.quiz.json') | ConvertFrom-Json -AsHashtable
    $script:Grader = Join-Path (Split-Path (Get-Module IotLabKit).Path) 'quizzes' 'Quiz.Tests.ps1'

    function New-AnswersFile([string] $Name, [hashtable] $Change = @{}, [string] $Student) {
        $answers = [ordered]@{} + $Key
        foreach ($k in $Change.Keys) { if ($null -eq $Change[$k]) { $answers.Remove($k) } else { $answers[$k] = $Change[$k] } }
        $content = [ordered]@{ quiz = 'module-08'; answers = $answers }
        if ($Student) { $content.student = $Student }
        $path = Join-Path $TestDrive $Name
        $content | ConvertTo-Json | Set-Content $path
        $path
    }
}

Describe 'Test-IotQuiz' {
    It 'grades all nine right answers 9/9 and writes NUnit XML with one passing test per question' {
        $answers = New-AnswersFile 'right.json' -Student 'Ada'
        $xml = Join-Path $TestDrive 'right.xml'
        $report = Test-IotQuiz -Path $answers -OutputPath $xml -Verbosity None
        $report.PSTypeNames | Should -Contain 'IotLabKit.PowerShell.Quiz.QuizGradeReport'
        $report.Student | Should -Be 'Ada'
        $report.Score | Should -Be 9
        $report.MaxScore | Should -Be 9
        $report.Percent | Should -Be 100
        $report.Passed | Should -Be 9
        $report.Failed | Should -Be 0
        $doc = [xml] (Get-Content -Raw $xml)
        $cases = $doc.SelectNodes('//test-case')
        $cases.Count | Should -Be 9
        @($cases | Where-Object result -ne 'Success').Count | Should -Be 0
        $cases[0].name | Should -BeLike '*8.1 What are the two primary technologies*'
    }

    It 'fails the wrong answers with the explanation, in JUnit XML' {
        $answers = New-AnswersFile 'two-wrong.json' @{ '8.3' = 'B'; '8.6' = 'A' }
        $xml = Join-Path $TestDrive 'two-wrong.junit.xml'
        $report = Test-IotQuiz -Path $answers -OutputPath $xml -OutputFormat JUnitXml -Verbosity None
        $report.Score | Should -Be 7
        $report.Passed | Should -Be 7
        $report.Failed | Should -Be 2
        $report.FailedQuestions | Should -Be @('8.3', '8.6')
        $doc = [xml] (Get-Content -Raw $xml)
        $doc.testsuites | Should -Not -BeNullOrEmpty
        $failures = @($doc.SelectNodes('//testcase[failure]'))
        $failures.Count | Should -Be 2
        $failure83 = $failures | Where-Object name -like '*8.3 *'
        $message = $failure83.failure.message + $failure83.failure.InnerText
        $message | Should -Match 'Answered B \(Configuration and Firmware Update\); the answer is A \(Reboot and Factory Reset\)'
        $message | Should -Match ([regex]::Escape(($Source.questions | Where-Object id -eq '8.3').explanation.Substring(0, 60)))
    }

    It 'grades each question on its own: a missing answer and an invalid letter fail only their tests' {
        $answers = New-AnswersFile 'sloppy.json' @{ '8.1' = $null; '8.2' = 'Q' }
        $report = Test-IotQuiz -Path $answers -Verbosity None
        $report.Score | Should -Be 7
        $report.FailedQuestions | Should -Be @('8.1', '8.2')
    }

    It 'fails one extra test for answers to questions the quiz does not have, without costing points' {
        $answers = New-AnswersFile 'extra.json' @{ '8.10' = 'A' }
        $report = Test-IotQuiz -Path $answers -Verbosity None
        $report.Score | Should -Be 9
        $report.Passed | Should -Be 9
        $report.Failed | Should -Be 1
        $report.FailedQuestions | Should -BeNullOrEmpty
    }

    It 'grades a class with a wildcard into one report, and reports the broken file' {
        $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'class') -Force
        Copy-Item (New-AnswersFile 'c1.json' -Student 'Ada') (Join-Path $dir 'ada.json')
        Copy-Item (New-AnswersFile 'c2.json' @{ '8.9' = 'C' } -Student 'Bo') (Join-Path $dir 'bo.json')
        Set-Content (Join-Path $dir 'cy.json') '{ "quiz": "module-08", "answers": '
        $xml = Join-Path $TestDrive 'class.xml'
        $reports = Test-IotQuiz -Path (Join-Path $dir '*.json') -OutputPath $xml -Verbosity None -ErrorVariable failures -ErrorAction SilentlyContinue
        $reports.Student | Should -Be @('Ada', 'Bo')
        $reports.Score | Should -Be @(9, 8)
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'TestIotQuizAnswersFileInvalid,*'
        $failures[0].Exception.Message | Should -Match 'cy\.json.*\(line \d+, column \d+\): not valid JSON'
        ([xml] (Get-Content -Raw $xml)).SelectNodes('//test-case').Count | Should -Be 18
    }

    It 'reports a missing answers file' {
        $err = $null
        try { Test-IotQuiz -Path (Join-Path $TestDrive 'none.json') -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'TestIotQuizAnswersFileNotFound,*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'reports an answers file without a quiz when none is named' {
        $path = Join-Path $TestDrive 'noquiz.json'
        '{ "answers": { "8.1": "B" } }' | Set-Content $path
        $err = $null
        try { Test-IotQuiz -Path $path -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'TestIotQuizQuizNotFound,*'
        (Test-IotQuiz -Path $path -Quiz module-08 -Verbosity None).Score | Should -Be 1
    }
}

Describe 'Quiz.Tests.ps1 run directly with Invoke-Pester' {
    It 'grades with New-PesterContainer -Data, one test per question' {
        # A child pwsh: this file is itself running under Pester, and Pester runs do not nest in one runspace.
        $answers = New-AnswersFile 'direct.json' @{ '8.4' = 'C' }
        $pester = (Get-Module Pester).Path
        $script = @"
Import-Module '$pester'; Import-Module '$StagedModule'
`$c = New-PesterContainer -Path '$Grader' -Data @{ AnswersPath = '$answers' }
`$r = Invoke-Pester -Container `$c -Output None -PassThru
'RESULT ' + `$r.PassedCount + ' ' + `$r.FailedCount + ' ' + (`$r.Failed.ExpandedName -join '|') + ' ' + (`$r.Failed.ErrorRecord.Exception.Message -join '|')
"@
        $exe = [Environment]::ProcessPath
        $prefix = @(if ((Split-Path $exe -Leaf) -like 'dotnet*') { Join-Path $PSHOME 'pwsh.dll' })
        $output = (& $exe @prefix -NoProfile -NonInteractive -Command $script 2>&1) -join "`n"
        $output | Should -Match 'RESULT 8 1 8\.4 Which of the following tasks'
        $output | Should -Match 'Answered C \(Update a device twin desired property\); the answer is B'
    }
}
