"""An Open Referral HSDS 3.1 API over the directory, under `/hsds/`: `mapping` turns our
read models into HSDS objects, `service` selects and pages them, `router` serves them.
The official schemas it is tested against are in `schema/` (CC BY-SA 4.0, see
`schema/SOURCE.txt`)."""
