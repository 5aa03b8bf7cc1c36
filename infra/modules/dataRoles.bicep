// Who may do what on the data account, container by container (least privilege):
// - the app reads sources (inbox, styles, uploads), writes results and checkpoints (outputs, jobs),
//   may sign upload links for uploads/ (a user delegation SAS grants only what its signer holds),
//   consumes the inbox event queue, and holds the delegator role (account-wide by necessity: asking
//   for a user delegation key is an account-level action; it grants no data access by itself);
// - an uploader writes inbox, uploads and styles only: never outputs, never the checkpoints in jobs/
//   that the engine deserializes, never the host's state (a different account);
// - a reader reads outputs only.
// - the GPU workers (queued executor) read and write checkpoints (jobs) and write frames and previews
//   (outputs); take, renew and delete chunk messages (chunks: Queue Data Contributor, because renewing
//   a message's visibility is a message write, which Message Processor lacks), and only send on
//   chunk-results and chunks-poison; the app only sends on chunks and consumes chunk-results;
// No one gets an account-wide data role here. tests/NeuralArt.Functions.Tests/InfraRoleTests.cs
// checks these tables and every role assignment's scope. Module deployment names carry the account
// name so that two stacks in one resource group do not overwrite each other's deployments.

@description('Data storage account name.')
param storageAccountName string

@description('Principal (object) ID of the app\'s user-assigned managed identity.')
param appPrincipalId string

@description('Queues the app consumes (the inbox event queue and its poison queue).')
param appQueueNames string[]

@description('Principal (object) ID of the GPU workers\' identity; empty when chunks run in the app.')
param workerPrincipalId string

@description('Queue of chunk messages (the workers take them, the app sends them).')
param chunksQueueName string

@description('Queue of chunk results (the workers send them, the app consumes them).')
param chunkResultsQueueName string

@description('Optional object ID of the user, group or service principal that uploads (inbox, uploads, styles).')
param uploaderPrincipalId string

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param uploaderPrincipalType string

@description('Optional object ID of the user, group or service principal that reads results (outputs).')
param readerPrincipalId string

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param readerPrincipalType string

// Built-in role definition IDs (the same in every tenant).
var roles = {
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageBlobDelegator: 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageQueueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
}

// The app's roles, one per container.
var appContainerGrants = [
  { container: 'inbox', role: 'storageBlobDataReader' }
  { container: 'styles', role: 'storageBlobDataReader' }
  { container: 'uploads', role: 'storageBlobDataContributor' }
  { container: 'outputs', role: 'storageBlobDataContributor' }
  { container: 'jobs', role: 'storageBlobDataContributor' }
]

// People's roles, one per container; a principal left empty gets none.
var personContainerGrants = [
  { principal: 'uploader', container: 'inbox', role: 'storageBlobDataContributor' }
  { principal: 'uploader', container: 'uploads', role: 'storageBlobDataContributor' }
  { principal: 'uploader', container: 'styles', role: 'storageBlobDataContributor' }
  { principal: 'reader', container: 'outputs', role: 'storageBlobDataReader' }
]

// The queued executor's grants, one per container or queue; none when there is no worker identity.
var workerContainerGrants = [
  { container: 'jobs', role: 'storageBlobDataContributor' }
  { container: 'outputs', role: 'storageBlobDataContributor' }
]
var chunkQueueGrants = [
  { principal: 'worker', queue: chunksQueueName, role: 'storageQueueDataContributor' }
  { principal: 'worker', queue: '${chunksQueueName}-poison', role: 'storageQueueDataMessageSender' }
  { principal: 'worker', queue: chunkResultsQueueName, role: 'storageQueueDataMessageSender' }
  { principal: 'app', queue: chunksQueueName, role: 'storageQueueDataMessageSender' }
  { principal: 'app', queue: chunkResultsQueueName, role: 'storageQueueDataContributor' }
  { principal: 'app', queue: '${chunkResultsQueueName}-poison', role: 'storageQueueDataMessageSender' }
]
var queuePrincipals = {
  app: appPrincipalId
  worker: workerPrincipalId
}
var activeWorkerContainerGrants = empty(workerPrincipalId) ? [] : workerContainerGrants
// The app's grants stand in either shape (its chunk-results trigger always listens); the workers' only with workers.
var activeChunkQueueGrants = filter(chunkQueueGrants, grant => !empty(queuePrincipals[grant.principal]))

var people = {
  uploader: {
    id: uploaderPrincipalId
    type: uploaderPrincipalType
  }
  reader: {
    id: readerPrincipalId
    type: readerPrincipalType
  }
}

var activePersonGrants = filter(personContainerGrants, grant => !empty(people[grant.principal].id))

resource dataAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

module appContainerRoles 'containerRole.bicep' = [
  for grant in appContainerGrants: {
    name: '${storageAccountName}-role-app-${grant.container}'
    params: {
      storageAccountName: storageAccountName
      containerName: grant.container
      roleDefinitionGuid: roles[grant.role]
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

module personContainerRoles 'containerRole.bicep' = [
  for grant in activePersonGrants: {
    name: '${storageAccountName}-role-${grant.principal}-${grant.container}'
    params: {
      storageAccountName: storageAccountName
      containerName: grant.container
      roleDefinitionGuid: roles[grant.role]
      principalId: people[grant.principal].id
      principalType: people[grant.principal].type
    }
  }
]

module appQueueRoles 'queueRole.bicep' = [
  for queueName in appQueueNames: {
    name: '${storageAccountName}-role-app-${queueName}'
    params: {
      storageAccountName: storageAccountName
      queueName: queueName
      // Receive, update visibility on failure, delete, and move to the poison queue.
      roleDefinitionGuid: roles.storageQueueDataContributor
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

module workerContainerRoles 'containerRole.bicep' = [
  for grant in activeWorkerContainerGrants: {
    name: '${storageAccountName}-role-worker-${grant.container}'
    params: {
      storageAccountName: storageAccountName
      containerName: grant.container
      roleDefinitionGuid: roles[grant.role]
      principalId: workerPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

module chunkQueueRoles 'queueRole.bicep' = [
  for grant in activeChunkQueueGrants: {
    name: '${storageAccountName}-role-${grant.principal}-${grant.queue}'
    params: {
      storageAccountName: storageAccountName
      queueName: grant.queue
      roleDefinitionGuid: roles[grant.role]
      principalId: queuePrincipals[grant.principal]
      principalType: 'ServicePrincipal'
    }
  }
]

// User delegation keys for SAS links (results to read, uploads to write).
resource appDelegator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataAccount.id, appPrincipalId, roles.storageBlobDelegator)
  scope: dataAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDelegator)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}
