// Two log alerts over the app's Application Insights telemetry (each Functions invocation is a row
// in `requests`, named after the function):
// - failed jobs: every job that fails runs the RecordArtworkFailure activity once, successfully;
// - Durable retries and poison messages: failed activity attempts (each one is retried per the job's
//   retry settings) plus any log line about a poison message (the queue trigger's poison queue, or
//   the Durable Azure Storage backend's poison-message handling).
// Both notify the action group given, if any (without one they still show in the portal).

@description('Azure region for the rules.')
param location string

@description('Resource ID of the Application Insights component the queries run against.')
param appInsightsId string

@description('Name prefix for the rules.')
param namePrefix string

@description('Resource ID of an existing action group to notify; empty for none.')
param actionGroupId string

@description('Activity function every failed job runs once (ActivityNames.RecordFailure).')
param failureActivityName string

@description('The activities whose failed attempts count as retries (ActivityNames).')
param activityNames string[]

@description('Failed jobs in the window above which the failed-jobs alert fires.')
@minValue(0)
param failedJobsThreshold int

@description('Failed activity attempts plus poison-message log lines in the window above which the retry alert fires.')
@minValue(0)
param retryThreshold int

param tags object

// Severity 2 (warning): a failed job or a burst of retries needs a look, not a page at night.
var severity = 2
var evaluationFrequency = 'PT5M'
var windowSize = 'PT15M'
var actions = empty(actionGroupId)
  ? {}
  : {
      actionGroups: [
        actionGroupId
      ]
    }
var activityList = join(map(activityNames, name => '\'${name}\''), ', ')

resource failedJobs 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: '${namePrefix}-failed-jobs'
  location: location
  tags: tags
  properties: {
    displayName: 'NeuralArt: jobs failed'
    description: 'Jobs that ended failed (outputs/<id>/error.json was written) in the last 15 minutes.'
    severity: severity
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: evaluationFrequency
    windowSize: windowSize
    criteria: {
      allOf: [
        {
          query: 'requests | where name == \'${failureActivityName}\' and success == true | summarize failedJobs = count()'
          timeAggregation: 'Total'
          metricMeasureColumn: 'failedJobs'
          operator: 'GreaterThan'
          threshold: failedJobsThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

resource retries 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: '${namePrefix}-durable-retries'
  location: location
  tags: tags
  properties: {
    displayName: 'NeuralArt: Durable retries and poison messages'
    description: 'Failed activity attempts (retried by the orchestration) plus poison-message log lines in the last 15 minutes.'
    severity: severity
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: evaluationFrequency
    windowSize: windowSize
    criteria: {
      allOf: [
        {
          query: 'union (requests | where name in (${activityList}) and success == false | summarize n = count()), (traces | where message has \'poison\' | summarize n = count()) | summarize retriesAndPoison = sum(n)'
          timeAggregation: 'Total'
          metricMeasureColumn: 'retriesAndPoison'
          operator: 'GreaterThan'
          threshold: retryThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}
