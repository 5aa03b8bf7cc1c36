// The GPU chunk workers (queued executor): an event-driven Container Apps job on the environment's
// serverless GPU profile. KEDA's azure-queue rule, authenticated with the workers' own managed
// identity (no connection string), starts executions while chunk messages wait, none at all when the
// queue is empty (minExecutions 0: an idle deployment pays for no GPU). Each execution runs
// `neuralart worker`, which takes messages until the queue has been empty for its idle time, so a
// cold start is paid once per burst of chunks, not once per chunk.

@description('Azure region (the environment\'s).')
param location string

@description('Job name.')
param name string

@description('Resource ID of the Container Apps environment.')
param managedEnvironmentId string

@description('Name of the environment\'s GPU workload profile.')
param workloadProfileName string

@description('vCPU cores per replica (fixed by the GPU profile: 8 for T4, 24 for A100).')
param cpu int

@description('Memory per replica, for example 56Gi (T4).')
param memory string

@description('Registry login server.')
param registryLoginServer string

@description('Image repository and tag (the same image as the Function App: it carries the neuralart CLI).')
param imageName string

@description('Resource ID of the workers\' user-assigned managed identity.')
param identityId string

@description('Client ID of the workers\' identity.')
param identityClientId string

@description('Data storage account (chunk queues, jobs and outputs containers).')
param storageAccountName string

@description('Queue the scale rule watches and the workers read.')
param chunksQueueName string

@description('ONNX Runtime execution provider the worker asks for (cuda fails loudly without a GPU).')
param executionProvider string

@description('Most executions at once: the number of GPUs the deployment may hold.')
@minValue(1)
param maxExecutions int

@description('Seconds an execution may run before the platform stops it (set from the chunk budget in main.bicep).')
@minValue(60)
param replicaTimeoutSeconds int

@description('Times a failed execution is retried; its chunk message comes back on the queue in any case.')
@minValue(0)
param replicaRetryLimit int

@description('Seconds between the scaler\'s looks at the queue.')
@minValue(5)
param pollingIntervalSeconds int

@description('Application settings of NeuralArt itself, bound by the options classes (name -> value).')
param neuralArtSettings object

param tags object

// The worker reaches storage by account name with its identity (LocalHostOptions.StorageAccountName
// and ManagedIdentityClientId); AZURE_CLIENT_ID makes DefaultAzureCredential pick the identity.
var workerSettings = {
  NeuralArt__Host__StorageAccountName: storageAccountName
  NeuralArt__Host__ManagedIdentityClientId: identityClientId
  AZURE_CLIENT_ID: identityClientId
}

var env = [
  for setting in items(union(workerSettings, neuralArtSettings)): {
    name: setting.key
    value: string(setting.value)
  }
]

resource job 'Microsoft.App/jobs@2025-07-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: managedEnvironmentId
    workloadProfileName: workloadProfileName
    configuration: {
      triggerType: 'Event'
      replicaTimeout: replicaTimeoutSeconds
      replicaRetryLimit: replicaRetryLimit
      eventTriggerConfig: {
        // One replica per execution: each execution is one worker on one GPU.
        parallelism: 1
        replicaCompletionCount: 1
        scale: {
          minExecutions: 0
          maxExecutions: maxExecutions
          pollingInterval: pollingIntervalSeconds
          rules: [
            {
              name: 'chunks'
              type: 'azure-queue'
              metadata: {
                accountName: storageAccountName
                queueName: chunksQueueName
                // One execution per waiting chunk, up to maxExecutions.
                queueLength: '1'
              }
              // Workload identity for the scaler: no connection string or key in the job.
              identity: identityId
            }
          ]
        }
      }
      registries: [
        {
          server: registryLoginServer
          identity: identityId
        }
      ]
    }
    template: {
      containers: [
        {
          name: 'worker'
          image: '${registryLoginServer}/${imageName}'
          command: [
            'neuralart'
          ]
          args: [
            'worker'
            '--provider'
            executionProvider
          ]
          env: env
          resources: {
            cpu: cpu
            memory: memory
          }
        }
      ]
    }
  }
}

output name string = job.name
