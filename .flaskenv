# Read by the `flask` command only (never by a WSGI server): a checkout is a development
# installation unless QA_ENV is set otherwise in the real environment.
FLASK_APP=qa_app
QA_ENV=development
